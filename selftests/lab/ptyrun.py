#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run a command on a pseudo-terminal of its own and drain its output.

usage: ptyrun.py OUTFILE COMMAND [ARG...]

Bochs's "term" display needs a terminal. script(1) gives it one, but
with stdin at EOF util-linux's script stops copying the terminal's output
after a while; the terminal's buffer then fills and Bochs blocks in a
write, with the whole lab machine stopped behind it. This wrapper never
stops reading: everything the command writes to its terminal goes to
OUTFILE (or nowhere, for /dev/null). Nothing is ever written to the
command's terminal. The exit status is the command's (128 + signal when a
signal ended it).
"""
import fcntl
import os
import signal
import struct
import sys
import termios


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 64
    out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 25, 80, 0, 0))
    env = dict(os.environ)
    if env.get("TERM", "dumb") in ("", "dumb", "unknown"):
        env["TERM"] = "xterm"

    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.close(out)
        try:
            os.execvpe(sys.argv[2], sys.argv[2:], env)
        except OSError as e:
            os.write(2, ("ptyrun: %s: %s\n" % (sys.argv[2], e)).encode())
            os._exit(127)
    os.close(slave)

    # Pass termination on to the command's session.
    def forward(signum, _frame):
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            pass
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)

    while True:
        try:
            data = os.read(master, 65536)
        except InterruptedError:
            continue
        except OSError:
            break       # EIO: every holder of the terminal closed it
        if not data:
            break
        os.write(out, data)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
