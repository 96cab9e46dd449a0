#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run a command on a pseudo-terminal of its own and drain its output.

usage: ptyrun.py OUTFILE COMMAND [ARG...]

Bochs's "term" display needs a terminal, and it draws the guest's screen
on a second pseudo-terminal that it opens itself and announces with
'connected to screen "/dev/pts/N"'. Nobody reads that one: once its
buffer is full, Bochs blocks in a write and the whole lab machine stops
behind it. This wrapper gives the command a terminal, copies everything
written to it into OUTFILE (or nowhere, for /dev/null), and when the
announcement appears, opens the screen terminal too and throws away what
Bochs draws there. Nothing is ever written to either terminal. The exit
status is the command's (128 + signal when a signal ended it).
"""
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import tty


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

    screen = None
    seen = b""
    fds = [master]
    while master in fds:
        try:
            ready, _, _ = select.select(fds, [], [])
        except InterruptedError:
            continue
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except InterruptedError:
                continue
            except OSError:
                data = b""      # EIO: every holder of the terminal closed it
            if not data:
                fds.remove(fd)
                continue
            if fd != master:
                continue        # the screen: thrown away
            os.write(out, data)
            if screen is None:
                seen = (seen + data)[-4096:]
                m = re.search(rb'connected to screen "(/dev/[^"]+)"', seen)
                if m:
                    screen = os.open(m.group(1), os.O_RDONLY | os.O_NOCTTY)
                    tty.setraw(screen)
                    fds.append(screen)
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
