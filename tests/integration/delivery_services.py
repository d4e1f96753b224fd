r"""tests/integration/delivery_services.py - master.cf for instances that deliver mail

SYNOPSIS
    from delivery_services import delivery_master_cf
    inst = Instance(tmp_path, overrides={...}, master_cf=delivery_master_cf(port))
    inst = Instance(tmp_path, master_cf=delivery_master_cf(port, only={"smtpd", "cleanup", "qmgr", "virtual"}))

DESCRIPTION
    The services of Postfix's own master.cf that tern runs for receiving and
    delivering mail, with smtpd on 127.0.0.1:PORT. `only` keeps the
    services whose command is in the set (for tests of one part while the
    others are not built yet); `extra` is appended verbatim (transports a
    test adds, -o overrides).
"""

SERVICES = [
    ("smtpd", "{listen} inet  n       -       n       -       -       smtpd"),
    ("pickup", "pickup    unix  n       -       n       60      1       pickup"),
    ("cleanup", "cleanup   unix  n       -       n       -       0       cleanup"),
    ("qmgr", "qmgr      unix  n       -       n       300     1       qmgr"),
    ("bounce", "bounce    unix  -       -       n       -       0       bounce"),
    ("showq", "showq     unix  n       -       n       -       -       showq"),
    ("smtp", "smtp      unix  -       -       n       -       -       smtp"),
    ("smtp", "relay     unix  -       -       n       -       -       smtp"),
    ("lmtp", "lmtp      unix  -       -       n       -       -       lmtp"),
    ("error", "error     unix  -       -       n       -       -       error"),
    ("error", "retry     unix  -       -       n       -       -       error"),
    ("discard", "discard   unix  -       -       n       -       -       discard"),
    ("local", "local     unix  -       n       n       -       -       local"),
    ("virtual", "virtual   unix  -       n       n       -       -       virtual"),
]


def delivery_master_cf(port, only=None, extra=""):
    lines = []
    for command, line in SERVICES:
        if only is not None and command not in only:
            continue
        lines.append(line.format(listen=f"127.0.0.1:{port}"))
    text = "\n".join(lines) + "\n"
    if extra:
        text += extra if extra.endswith("\n") else extra + "\n"
    return text
