"""Drives a command in a pseudo-terminal, as a person at a terminal would.

usage: python3 pty-drive.py STEPS_JSON COMMAND...

STEPS_JSON is a list of steps, run in order:
  {"expect": TEXT, "timeout": S}   wait until the output so far contains TEXT
  {"send": TEXT}                   type TEXT (latin-1: "\\u0001" is Ctrl-A)
  {"mode": NAME}                   record the terminal's mode now under NAME
  {"signal": NAME}                 send the signal (e.g. "SIGTERM") to the command
Prints one JSON object: the exit status, the terminal's modes (recorded
before the start, at each "mode" step, and after the exit) as
{icanon, echo, same_as_before}, the whole output (latin-1), and the step
that failed, if one did. The command's stdin, stdout and stderr are the
terminal; it is a session leader with the terminal as its controlling tty.
"""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import termios
import time


def main():
    steps = json.loads(sys.argv[1])
    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)

    def mode(attrs):
        return {
            "icanon": bool(attrs[3] & termios.ICANON),
            "echo": bool(attrs[3] & termios.ECHO),
            "same_as_before": attrs == before,
        }

    proc = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    out = bytearray()
    modes = {"before": mode(before)}
    failed = None

    def pump(seconds):
        """Reads what arrives within `seconds` (one chunk); False when nothing did."""
        ready, _, _ = select.select([master], [], [], max(seconds, 0))
        if not ready:
            return False
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return False
        out.extend(chunk)
        return len(chunk) > 0

    for i, step in enumerate(steps):
        if "expect" in step:
            want = step["expect"].encode("latin-1")
            end = time.time() + step.get("timeout", 20)
            while want not in out and time.time() < end:
                pump(end - time.time())
            if want not in out:
                failed = {"step": i, "expect": step["expect"]}
                break
        elif "send" in step:
            os.write(master, step["send"].encode("latin-1"))
        elif "mode" in step:
            modes[step["mode"]] = mode(termios.tcgetattr(slave))
        elif "signal" in step:
            proc.send_signal(getattr(signal, step["signal"]))

    status = None
    end = time.time() + 20
    while status is None and time.time() < end:
        pump(0.1)
        status = proc.poll()
    if status is None:
        proc.kill()
        status = "killed after timeout"
    # What it wrote last (the kernel buffers nothing once the process is gone).
    while pump(0.1):
        pass
    modes["after"] = mode(termios.tcgetattr(slave))
    print(json.dumps({"status": status, "modes": modes, "output": out.decode("latin-1"), "failed": failed}))


main()
