"""Where the files shipped beside the code live: ``migrations/`` and ``templates/``.

In a source checkout (and an editable install) they are the project's top-level folders. A
regular install (``pip install .``, a wheel) puts them under ``<prefix>/share/hwm/``, where
``setup.py`` declares them as data files.
"""

from __future__ import annotations

import site
import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("migrations", "templates")


def resource_dir(name: str) -> Path:
    """The folder of the shipped files called ``name`` (one of ``SHIPPED``).

    Raises FileNotFoundError naming every place looked at when the installation lacks it.
    """
    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not one of the folders shipped with hwm")
    places = [SOURCE_ROOT / name]
    for prefix in (sys.prefix, site.getuserbase()):
        places.append(Path(prefix) / "share" / "hwm" / name)
    for place in places:
        if place.is_dir():
            return place
    looked = ", ".join(str(p) for p in places)
    raise FileNotFoundError(f"the {name} of hwm are missing from this installation ({looked})")
