"""``hwm gps gateway`` as an operator runs it: a process serving terminals until stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gateway.conftest import PHONE, bind
from tests.gateway.terminal import Terminal
from tests.gateway.test_trip import world_url
from tests.http.live import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_gateway_command_serves_terminals_and_stops_on_sigterm(client, world, tmp_path):
    assert bind(client, world).status_code == 201
    port = free_port()
    log_path = tmp_path / "gateway.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("hwm")), "gps", "gateway"]
            + ["--host", "127.0.0.1", "--port", str(port), "--idle", "30"],
            cwd=ROOT,
            env={**os.environ, "HWM_DATABASE_URL": world_url(world)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            terminal = Terminal(PHONE).connect(port)
            result, code = terminal.register("粤J12345")
            assert result == 0 and terminal.authenticate(code) == 0
            stranger = Terminal("13800000000").connect(port)
            assert stranger.register("粤J12345") == (4, "")
            stranger.close()
            terminal.close()
        finally:
            process.terminate()
            assert process.wait(20) == 0
    output = log_path.read_text()
    assert f"gateway listening on 127.0.0.1:{port}" in output
    assert "registration of terminal 13800000000" in output
