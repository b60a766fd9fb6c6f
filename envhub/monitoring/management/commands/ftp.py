"""`envhub ftp`: the FTP receiver for dataloggers (see `envhub.monitoring.receivers.ftp`).

Each facility logs in with its tax code and one of its tokens, and its `.txt` uploads are
ingested as soon as they complete. Ctrl-C, SIGTERM or SIGHUP closes the connections and stops.
"""

from __future__ import annotations

import ipaddress
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from envhub.core.config import parse_port_range
from envhub.monitoring.receivers import ftp


class Command(BaseCommand):
    help = "Receive TT10 files over FTP: one account per facility (tax code and token)."

    def add_arguments(self, parser):
        first, last = settings.ENVHUB_FTP_PASSIVE_PORTS
        parser.add_argument("--bind", default=settings.ENVHUB_FTP_BIND, metavar="HOST:PORT",
                            help="Where to listen (default from ENVHUB_FTP_BIND).")
        parser.add_argument("--root", default=str(settings.ENVHUB_FTP_ROOT), metavar="DIR",
                            help="The facilities' folders (default from ENVHUB_FTP_ROOT).")
        parser.add_argument("--passive-ports", default=f"{first}-{last}", metavar="FIRST-LAST",
                            help="Ports for passive data connections "
                                 "(default from ENVHUB_FTP_PASSIVE_PORTS).")
        parser.add_argument("--masquerade", default=settings.ENVHUB_FTP_MASQUERADE,
                            metavar="IP", help="The public IPv4 address announced in passive "
                                               "mode behind NAT (default from "
                                               "ENVHUB_FTP_MASQUERADE).")

    def handle(self, *args, bind, root, passive_ports, masquerade, **options):
        host, _sep, port = bind.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise CommandError(f"--bind {bind!r}: expected HOST:PORT, e.g. 0.0.0.0:2121.")
        try:
            ports = parse_port_range(passive_ports)
        except ValueError as exc:
            raise CommandError(f"--passive-ports {passive_ports!r}: {exc}.") from None
        if masquerade:
            try:
                ipaddress.IPv4Address(masquerade)
            except ValueError:
                raise CommandError(f"--masquerade {masquerade!r}: expected an IPv4 "
                                   "address.") from None
        try:
            server = ftp.make_server(bind, Path(root), passive_ports=ports,
                                     masquerade=masquerade)
        except OSError as exc:
            raise CommandError(f"Cannot listen on {bind}: {exc.strerror or exc}.") from None

        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        # Ctrl-C, SIGTERM (`envhub run`, systemd) and a closed terminal all stop cleanly.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, request_stop)
        listening_host, listening_port = server.address
        announced = f", announced as {masquerade}" if masquerade else ""
        self.stdout.write(self.style.SUCCESS(
            f"envhub ftp: receiving on ftp://{listening_host}:{listening_port}/ "
            f"(folders in {root}; passive ports {ports[0]}-{ports[1]}{announced}). "
            "Press Ctrl-C to stop."))
        ftp.serve(server, stop)
        self.stdout.write("envhub ftp: stopped.")
