r"""tests/integration/dns_server.py - a small authoritative DNS server on loopback, for tests

SYNOPSIS
    from dns_server import DnsServer
    zone = {"example.test": {"MX": [(10, "mx1.example.test"), (20, "mx2.example.test")]},
            "mx1.example.test": {"A": ["127.0.0.1"]},
            "alias.test": {"CNAME": "mx1.example.test"},
            "nx.test": "NXDOMAIN", "broken.test": "SERVFAIL", "slow.test": "TIMEOUT"}
    with DnsServer(zone) as dns:                 # UDP and TCP on 127.0.0.1:dns.port
        dns.resolv_conf(root / "resolv.conf")    # "nameserver 127.0.0.1:PORT"
        ...
        assert ("example.test", "MX") in dns.asked()
    answer = query(dns.port, "example.test", "MX")          # a stub for self-tests
    answer.rcode == 0; answer.answers == [("example.test", "MX", (10, "mx1.example.test")), ...]

DESCRIPTION
    DnsServer answers from a zone given as a dict, keyed by name (any case,
    with or without the final dot). A value is either a dict of record
    type to data, or a string that makes every query for the name fail:
    "NXDOMAIN", "SERVFAIL", "REFUSED", or "TIMEOUT" (no answer at all).
    Record data: "A": ["192.0.2.1", ...], "AAAA": ["::1", ...],
    "MX": [(preference, host), ...], "CNAME": "target", "TXT": ["text", ...].
    A name not in the zone is NXDOMAIN; a name in the zone without records
    of the type asked is an empty NOERROR answer (NODATA). A CNAME is
    followed inside the zone (at most 8 steps). MX answers carry the A and
    AAAA records of their hosts in the additional section, as real servers
    do. Every answer is authoritative (AA) with ttl (default 60).

    The server is written on struct level (no DNS library): it takes the
    question from a query (name compression allowed), copies the question
    bytes unchanged into the answer (resolvers such as libevent's evdns
    send names in random case and compare the echo), and writes answers
    without compression. Over UDP an answer larger than 512 bytes (or any
    answer while truncate_udp is set) is cut to the header and question
    with TC set, so a client must retry over TCP; TCP messages carry the
    2-byte length prefix of RFC 1035 section 4.2.2.

    Both listeners bind the same free port of 127.0.0.1 (port 0: one is
    picked) and run in one daemon thread; stop() (or leaving the with
    block) closes them. The zone can be changed while the server runs
    (dns.zone["x.test"] = ...; assignments are atomic enough for tests).
    Every query is recorded in dns.queries as (name, type, proto) with name
    lower-cased and without the final dot, type a mnemonic ("A", "MX",
    "TYPE65"), proto "udp" or "tcp"; asked() gives the (name, type) pairs.

    Port 53 works too, as root, on any other loopback address
    (DnsServer(zone, port=53, host="127.0.0.53")): a resolver that cannot
    take a port (glibc's) can then use it; resolv_conf() then writes the
    address alone.

    resolv_conf(path) writes "nameserver 127.0.0.1:PORT" and
    "options timeout:1 attempts:1", and returns path. libevent 2.1's
    evdns_base_resolv_conf_parse() reads the port after the colon
    (evutil_parse_sockaddr_port; "[::1]:PORT" for IPv6; checked with a C
    test against this server); glibc's resolver does not, so only tern's
    evdns-based lookups may use it. evdns treats SERVFAIL like no answer
    (DNS_ERR_TIMEOUT after timeout * attempts; the options line applies
    only when DNS_OPTION_MISC is parsed) and, after 3 timeouts in a row,
    marks the server down and probes it with "google.com" (answered
    NXDOMAIN here, which brings it back up). libevent 2.1 has no MX query
    (only A, AAAA, PTR): an MX lookup needs a query built by the caller
    (evdns_base_resolve_* cannot) or another resolver.

    query(port, name, type, tcp=False) is a minimal stub resolver for the
    self-tests; it returns a Reply with rcode, flags, answers and
    additionals as lists of (name, type, data).
"""

import ipaddress
import random
import select
import socket
import struct
import threading

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "ANY": 255}
TYPE_NAMES = {code: name for name, code in TYPES.items()}
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}
CLASS_IN = 1
UDP_LIMIT = 512
MAX_MESSAGE = 65535
MAX_CNAME_CHAIN = 8
POLL_S = 0.1
TCP_IDLE_S = 5


def normalize(name):
    return name.rstrip(".").lower()


def type_name(code):
    return TYPE_NAMES.get(code, f"TYPE{code}")


# ---- wire format -----------------------------------------------------------------

def encode_name(name):
    out = bytearray()
    for label in normalize(name).split(".") if normalize(name) else []:
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"bad label in {name!r}")
        out += bytes([len(raw)]) + raw
    return bytes(out + b"\0")


def decode_name(message, offset):
    """(name, offset after the name in place); follows compression pointers."""
    labels, end, jumps = [], None, 0
    while True:
        if offset >= len(message):
            raise ValueError("name runs past the message")
        length = message[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(message) or jumps > 20:
                raise ValueError("bad compression pointer")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | message[offset + 1]
            jumps += 1
            continue
        if length & 0xC0:
            raise ValueError("bad label type")
        offset += 1
        if length == 0:
            return ".".join(labels), (end if end is not None else offset)
        labels.append(message[offset:offset + length].decode("ascii", "replace"))
        offset += length


def encode_rdata(rtype, data):
    if rtype == "A":
        return ipaddress.IPv4Address(data).packed
    if rtype == "AAAA":
        return ipaddress.IPv6Address(data).packed
    if rtype == "MX":
        preference, host = data
        return struct.pack(">H", preference) + encode_name(host)
    if rtype in ("CNAME", "NS", "PTR"):
        return encode_name(data)
    if rtype == "TXT":
        raw = data.encode("utf-8")
        return b"".join(bytes([len(raw[i:i + 255])]) + raw[i:i + 255] for i in range(0, max(len(raw), 1), 255))
    raise ValueError(f"unsupported record type {rtype}")


def encode_record(name, rtype, data, ttl):
    rdata = encode_rdata(rtype, data)
    return encode_name(name) + struct.pack(">HHIH", TYPES[rtype], CLASS_IN, ttl, len(rdata)) + rdata


def decode_rdata(message, rtype, offset, length):
    rdata = message[offset:offset + length]
    if rtype == "A" and length == 4:
        return str(ipaddress.IPv4Address(rdata))
    if rtype == "AAAA" and length == 16:
        return str(ipaddress.IPv6Address(rdata))
    if rtype == "MX":
        return (struct.unpack(">H", rdata[:2])[0], decode_name(message, offset + 2)[0])
    if rtype in ("CNAME", "NS", "PTR"):
        return decode_name(message, offset)[0]
    return rdata


# ---- the server ------------------------------------------------------------------

class Question:
    def __init__(self, message):
        if len(message) < 12:
            raise ValueError("short message")
        self.ident, self.flags, qdcount = struct.unpack(">HHH", message[:6])
        if qdcount != 1:
            raise ValueError("not one question")
        name, end = decode_name(message, 12)
        if end + 4 > len(message):
            raise ValueError("truncated question")
        self.qtype, self.qclass = struct.unpack(">HH", message[end:end + 4])
        self.name = normalize(name)
        # The question exactly as sent: 0x20 case randomisation must be echoed.
        self.raw = message[12:end + 4]


class DnsServer:
    def __init__(self, zone, port=0, host="127.0.0.1", ttl=60):
        self.zone = {normalize(name): value for name, value in zone.items()}
        self.host = host
        self.ttl = ttl
        self.truncate_udp = False
        self.queries = []
        self._lock = threading.Lock()
        self._running = False
        self._thread = None
        self.udp, self.tcp, self.port = self._bind(port)

    def _bind(self, port):
        """A UDP and a TCP socket on the same port (a free one when port is 0)."""
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind((self.host, port))
            chosen = udp.getsockname()[1]
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, chosen))
            except OSError:
                udp.close()
                tcp.close()
                if port:
                    raise
                continue
            tcp.listen(16)
            return udp, tcp, chosen
        raise OSError("no port free for both UDP and TCP")

    # ---- life cycle ------------------------------------------------------------

    def start(self):
        self._running = True
        self._thread = threading.Thread(target=self._serve, name="dns-server", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._running = False
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for sock in (self.udp, self.tcp):
            sock.close()

    def __enter__(self):
        return self.start() if self._thread is None else self

    def __exit__(self, *exc):
        self.stop()

    def resolv_conf(self, path, timeout=1, attempts=1):
        """Writes a resolv.conf naming this server; timeout and attempts
        (None: left out) make evdns give up on SERVFAIL and TIMEOUT names
        after timeout * attempts seconds instead of 5 * 3."""
        options = [f"timeout:{timeout}"] if timeout is not None else []
        options += [f"attempts:{attempts}"] if attempts is not None else []
        with open(path, "w") as f:
            server = self.host if self.port == 53 else f"{self.host}:{self.port}"
            f.write(f"nameserver {server}\n")
            if options:
                f.write(f"options {' '.join(options)}\n")
        return path

    def asked(self):
        with self._lock:
            return [(name, qtype) for name, qtype, _ in self.queries]

    # ---- serving ---------------------------------------------------------------

    def _serve(self):
        while self._running:
            readable, _, _ = select.select([self.udp, self.tcp], [], [], POLL_S)
            for sock in readable:
                if sock is self.udp:
                    self._serve_udp()
                else:
                    conn, _ = self.tcp.accept()
                    threading.Thread(target=self._serve_tcp, args=(conn,), daemon=True).start()

    def _serve_udp(self):
        try:
            message, peer = self.udp.recvfrom(MAX_MESSAGE)
        except OSError:
            return
        answer = self.answer(message, "udp")
        if answer is None:
            return
        if len(answer) > UDP_LIMIT or self.truncate_udp:
            answer = self._truncated(answer)
        try:
            self.udp.sendto(answer, peer)
        except OSError:
            pass

    def _serve_tcp(self, conn):
        conn.settimeout(TCP_IDLE_S)
        with conn:
            try:
                while self._running:
                    head = _read_exactly(conn, 2)
                    if head is None:
                        return
                    message = _read_exactly(conn, struct.unpack(">H", head)[0])
                    if message is None:
                        return
                    answer = self.answer(message, "tcp")
                    if answer is not None:
                        conn.sendall(struct.pack(">H", len(answer)) + answer)
            except OSError:
                return

    @staticmethod
    def _truncated(answer):
        """Header and question only, TC set, counts of the other sections 0."""
        ident, flags = struct.unpack(">HH", answer[:4])
        _, end = decode_name(answer, 12)
        return struct.pack(">HHHHHH", ident, flags | 0x0200, 1, 0, 0, 0) + answer[12:end + 4]

    def answer(self, message, proto):
        """The reply bytes to one query message, or None to stay silent."""
        try:
            question = Question(message)
        except (ValueError, UnicodeError, struct.error):
            if len(message) >= 2:
                ident = struct.unpack(">H", message[:2])[0]
                return struct.pack(">HHHHHH", ident, 0x8000 | RCODES["FORMERR"], 0, 0, 0, 0)
            return None
        with self._lock:
            self.queries.append((question.name, type_name(question.qtype), proto))
        if question.flags & 0x8000 or (question.flags >> 11) & 0xF != 0:
            return self._reply(question, RCODES["NOTIMP"])
        entry = self.zone.get(question.name)
        if entry == "TIMEOUT":
            return None
        if isinstance(entry, str):
            return self._reply(question, RCODES[entry])
        if entry is None:
            return self._reply(question, RCODES["NXDOMAIN"])
        answers, rcode = self._records(question.name, type_name(question.qtype))
        additional = []
        for owner, rtype, data in answers:
            if rtype == "MX":
                additional += self._addresses(data[1])
        return self._reply(question, rcode, answers, additional)

    def _records(self, name, qtype):
        """([(owner, type, data)], rcode) for name and qtype, CNAMEs followed."""
        answers = []
        for _ in range(MAX_CNAME_CHAIN):
            entry = self.zone.get(name)
            if entry is None or isinstance(entry, str):
                return answers, (RCODES["NXDOMAIN"] if entry is None and not answers else RCODES["NOERROR"])
            if "CNAME" in entry and qtype != "CNAME":
                answers.append((name, "CNAME", entry["CNAME"]))
                name = normalize(entry["CNAME"])
                continue
            wanted = [t for t in entry if qtype in (t, "ANY")]
            for rtype in wanted:
                data = entry[rtype]
                for item in ([data] if isinstance(data, (str, tuple)) else data):
                    answers.append((name, rtype, item))
            return answers, RCODES["NOERROR"]
        return answers, RCODES["SERVFAIL"]

    def _addresses(self, host):
        entry = self.zone.get(normalize(host))
        if not isinstance(entry, dict):
            return []
        return [(normalize(host), rtype, address)
                for rtype in ("A", "AAAA") for address in entry.get(rtype, [])]

    def _reply(self, question, rcode, answers=(), additional=()):
        flags = 0x8000 | 0x0400 | (question.flags & 0x0100) | rcode  # QR, AA, RD copied
        head = struct.pack(">HHHHHH", question.ident, flags, 1, len(answers), 0, len(additional))
        body = b"".join(encode_record(o, t, d, self.ttl) for o, t, d in list(answers) + list(additional))
        return head + question.raw + body


def _read_exactly(conn, count):
    data = bytearray()
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


# ---- a stub resolver for self-tests ----------------------------------------------

class Reply:
    def __init__(self, message):
        self.ident, self.flags, qd, an, ns, ar = struct.unpack(">HHHHHH", message[:12])
        self.rcode = self.flags & 0xF
        self.truncated = bool(self.flags & 0x0200)
        self.authoritative = bool(self.flags & 0x0400)
        offset = 12
        self.question = None
        for _ in range(qd):
            name, offset = decode_name(message, offset)
            self.question = (name, type_name(struct.unpack(">H", message[offset:offset + 2])[0]))
            offset += 4
        self.answers, offset = self._section(message, offset, an)
        self.authority, offset = self._section(message, offset, ns)
        self.additionals, offset = self._section(message, offset, ar)

    @staticmethod
    def _section(message, offset, count):
        records = []
        for _ in range(count):
            name, offset = decode_name(message, offset)
            code, _, _, length = struct.unpack(">HHIH", message[offset:offset + 10])
            offset += 10
            rtype = type_name(code)
            records.append((normalize(name), rtype, decode_rdata(message, rtype, offset, length)))
            offset += length
        return records, offset


def query(port, name, qtype="A", tcp=False, host="127.0.0.1", timeout=2.0, raw_name=None):
    """Sends one query, returns its Reply (raises socket.timeout when none comes).
    raw_name: the name exactly as put on the wire (to test case echo)."""
    ident = random.randrange(0x10000)
    wire_name = b"".join(bytes([len(label)]) + label.encode("ascii")
                         for label in (raw_name or name).rstrip(".").split(".")) + b"\0"
    message = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + wire_name + struct.pack(">HH", TYPES[qtype], CLASS_IN)
    if tcp:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(struct.pack(">H", len(message)) + message)
            head = _read_exactly(conn, 2)
            data = _read_exactly(conn, struct.unpack(">H", head)[0])
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(timeout)
            sock.sendto(message, (host, port))
            data, _ = sock.recvfrom(MAX_MESSAGE)
    reply = Reply(data)
    if reply.ident != ident:
        raise ValueError("reply to another query")
    return reply
