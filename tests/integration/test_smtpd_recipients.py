r"""tests/integration/test_smtpd_recipients.py - smtpd refuses unlisted recipients per address class

Starts an instance with smtpd and cleanup and checks Postfix's
reject_unlisted_recipient replies for each address class as the shared
Resolver (the one qmgr uses) classes the recipient: local recipient table,
virtual mailbox table, virtual alias table, relay recipient table,
transport_maps entries that send a recipient to the error transport, and
recipient_delimiter extensions; the log line of a refusal.
"""

import pytest

from test_smtpd import Client, can_connect

HOST = "mx.example.org"


@pytest.fixture
def smtpd(instance):
    port = instance.free_port()
    instance.write_master_cf(f"127.0.0.1:{port} inet n - n - 1 smtpd\n"
                             "cleanup unix n - n - 0 cleanup\n")
    instance.set_main_cf(
        myhostname=HOST, mydomain="example.org", mynetworks="127.0.0.0/8",
        recipient_delimiter="+",
        local_recipient_maps="inline:{ alice=1, bob=1 }",
        virtual_mailbox_domains="box.example",
        virtual_mailbox_maps="inline:{ m@box.example=box/m/ }",
        virtual_alias_domains="alias.example",
        virtual_alias_maps="inline:{ a@alias.example=alice@mx.example.org }",
        relay_domains="relay.example",
        relay_recipient_maps="inline:{ r@relay.example=1 }",
        transport_maps="inline:{ { gone@mx.example.org = error:5.1.6 moved away }, dead.example=error: }",
        smtpd_forbid_bare_newline_exclusions="")
    instance.port = port
    instance.start()
    instance.wait_for(lambda: can_connect(port), what="smtpd to listen")
    return instance


CASES = [
    ("alice@mx.example.org", "250 2.1.5 Ok"),
    ("alice+tag@mx.example.org", "250 2.1.5 Ok"),
    ("nobody@mx.example.org",
     "550 5.1.1 <nobody@mx.example.org>: Recipient address rejected: User unknown in local recipient table"),
    ("m@box.example", "250 2.1.5 Ok"),
    ("m+x@box.example", "250 2.1.5 Ok"),
    ("n@box.example",
     "550 5.1.1 <n@box.example>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("a@alias.example", "250 2.1.5 Ok"),
    ("b@alias.example",
     "550 5.1.1 <b@alias.example>: Recipient address rejected: User unknown in virtual alias table"),
    ("r@relay.example", "250 2.1.5 Ok"),
    ("z@relay.example",
     "550 5.1.1 <z@relay.example>: Recipient address rejected: User unknown in relay recipient table"),
    ("gone@mx.example.org", "550 5.1.6 <gone@mx.example.org>: Recipient address rejected: moved away"),
    ("x@dead.example", "550 5.1.1 <x@dead.example>: Recipient address rejected: Address is undeliverable"),
    ("x@elsewhere.example", "250 2.1.5 Ok"),
]


def test_unlisted_recipients_per_address_class(smtpd):
    c = Client(smtpd.port)
    assert c.cmd("EHLO client.example").startswith("250-")
    assert c.cmd("MAIL FROM:<s@client.example>") == "250 2.1.0 Ok"
    got = [(rcpt, c.cmd(f"RCPT TO:<{rcpt}>")) for rcpt in (r for r, _ in CASES)]
    assert got == CASES
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    c.close()
    smtpd.wait_for_log(r"\S+: reject: RCPT from localhost\[127\.0\.0\.1\]: 550 5\.1\.1 <b@alias\.example>: "
                       r"Recipient address rejected: User unknown in virtual alias table; "
                       r"from=<s@client\.example> to=<b@alias\.example> proto=ESMTP helo=<client\.example>")
