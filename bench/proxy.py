"""A small HTTP/1.1 reverse proxy for the load and fault test, behaving like nginx's defaults.

Per client connection: read one request, forward it to the upstream on a new connection from
127.0.0.1 with `X-Forwarded-For` extended by the client's address (nginx's
`$proxy_add_x_forwarded_for`), `X-Forwarded-Proto: http` and `Connection: close`, relay the
answer until the upstream closes, then close. An upstream that refuses, resets or times out before
answering gives `502 Bad Gateway` (as nginx does). Only for 127.0.0.1 traffic in benchmarks.

Run: python -m bench.proxy --listen 127.0.0.1:8080 --upstream 127.0.0.1:8000
"""

import argparse
import asyncio
import signal

HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade", b"x-forwarded-proto"}
BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
    b"Bad Gateway\n"
)
READ_TIMEOUT = 60.0


class Proxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.counts = {"requests": 0, "bad_gateway": 0}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")[0]
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
            request_line, *lines = head[:-4].split(b"\r\n")
            headers, forwarded, length = [], b"", 0
            for line in lines:
                name, _, value = line.partition(b":")
                key = name.strip().lower()
                if key == b"x-forwarded-for":
                    forwarded = value.strip()
                elif key not in HOP_BY_HOP:
                    headers.append(line)
                    if key == b"content-length":
                        length = int(value)
            body = await reader.readexactly(length) if length else b""
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            writer.close()
            return
        self.counts["requests"] += 1
        chain = forwarded + b", " + peer.encode() if forwarded else peer.encode()
        request = b"\r\n".join(
            [
                request_line,
                *headers,
                b"X-Forwarded-For: " + chain,
                b"X-Forwarded-Proto: http",
                b"Connection: close",
                b"",
                b"",
            ]
        )
        answered = False
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream, local_addr=("127.0.0.1", 0)), READ_TIMEOUT
            )
            up_writer.write(request + body)
            await up_writer.drain()
            while chunk := await asyncio.wait_for(up_reader.read(65536), READ_TIMEOUT):
                answered = True
                writer.write(chunk)
                await writer.drain()
            up_writer.close()
        except (TimeoutError, OSError):
            pass
        if not answered:
            self.counts["bad_gateway"] += 1
            try:
                writer.write(BAD_GATEWAY)
                await writer.drain()
            except OSError:
                pass
        writer.close()


async def serve(listen: str, upstream: str) -> None:
    host, port = listen.rsplit(":", 1)
    up_host, up_port = upstream.rsplit(":", 1)
    proxy = Proxy(up_host, int(up_port))
    server = await asyncio.start_server(proxy.handle, host, int(port), backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"proxy listening on {listen} -> {upstream}", flush=True)
    async with server:
        await stop.wait()
    print(f"proxy: {proxy.counts['requests']} requests, {proxy.counts['bad_gateway']} answered 502", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="host:port to listen on")
    parser.add_argument("--upstream", required=True, help="host:port of the application server")
    args = parser.parse_args()
    asyncio.run(serve(args.listen, args.upstream))


if __name__ == "__main__":
    main()
