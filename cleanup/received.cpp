// cleanup/received.cpp - Received: header and dates (see received.h)
#include "cleanup/received.h"

#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/mail_date.h"

namespace cleanup {

std::string received_header(const ReceivedInfo& info) {
    const std::string host = tern::printable(info.myhostname, 255);
    const std::string id = tern::printable(info.queue_id, 64);
    std::string h = "Received: ";
    if (info.client_address.empty()) {
        // A local submission names its user; mail tern makes itself (bounce
        // notices, forwarded copies) has no user: "by HOST (tern)", as Postfix.
        h.append("by ").append(host).append(" (").append(tern::printable(info.mail_name, 64));
        if (!info.submit_uid.empty()) h.append(", from userid ").append(tern::printable(info.submit_uid, 20));
        h.append(")\r\n\tid ").append(id);
    } else {
        const std::string name = tern::printable(info.client_name.empty() ? "unknown" : info.client_name, 255);
        const std::string helo = info.helo.empty() ? name : tern::printable(info.helo, 255);
        const bool v6 = info.client_address.find(':') != std::string_view::npos;
        h.append("from ").append(helo).append(" (").append(name).append(" [").append(v6 ? "IPv6:" : "");
        h.append(tern::printable(info.client_address, 64)).append("])\r\n");
        if (!info.tls_info.empty()) h.append("\t").append(tern::printable(info.tls_info, 300)).append("\r\n");
        h.append("\tby ").append(host).append(" (").append(tern::printable(info.mail_name, 64)).append(") with ");
        h.append(info.protocol.empty() ? "SMTP" : tern::printable(info.protocol, 20)).append(" id ").append(id);
        if (!info.recipient.empty())
            h.append("\r\n\tfor <").append(tern::printable(tern::quote_address(info.recipient), 300)).append(">");
    }
    h.append("; ").append(tern::rfc5322_date(info.when)).append("\r\n");
    return h;
}

}  // namespace cleanup
