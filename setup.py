"""The folders shipped beside the packages: every file under ``migrations/`` and ``templates/``
goes to ``<prefix>/share/hwm/`` keeping its place in the tree (``manifest.infra.resources``
finds them there). Everything else is declared in ``setup.cfg``."""

from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
SHIPPED = ("migrations", "templates")


def data_files() -> list[tuple[str, list[str]]]:
    folders: dict[str, list[str]] = {}
    for top in SHIPPED:
        for path in sorted((HERE / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                relative = path.relative_to(HERE)
                target = str(Path("share", "hwm", *relative.parts[:-1]))
                folders.setdefault(target, []).append(relative.as_posix())
    return sorted(folders.items())


setup(data_files=data_files())
