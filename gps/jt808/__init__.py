"""JT/T 808 (2013 and 2019): the protocol satellite positioning terminals of Chinese
commercial vehicles speak to a monitoring platform over TCP.

Pure: bytes in, values out, and the platform's answers as bytes. The server that holds the
connections and stores the positions is :mod:`manifest.gateway`.

* :mod:`gps.jt808.frames` — 0x7e frames, 0x7d escaping, the XOR check code;
* :mod:`gps.jt808.header` — the 2013 and 2019 headers and BCD phone numbers;
* :mod:`gps.jt808.bodies` — registration, authentication, location, batch; 0x8001, 0x8100;
* :mod:`gps.jt808.assembly` — sub-packaged messages put back together.
"""

from gps.jt808.errors import ProtocolError

__all__ = ["ProtocolError"]
