// smtp/protocol_text.cpp - the words of the client conversation: EHLO keywords, MAIL and RCPT
// commands, replies quoted as Postfix logs them; see protocol.h
#include <charconv>

#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/xtext.h"
#include "smtp/protocol.h"

namespace smtp {

namespace {

bool has_8bit(std::string_view text) noexcept {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}

std::string notify_text(unsigned notify) {
    if (notify & tern::kDsnNotifyNever) return "NEVER";
    std::string out;
    const auto add = [&out](const char* word) {
        if (!out.empty()) out += ',';
        out += word;
    };
    if (notify & tern::kDsnNotifySuccess) add("SUCCESS");
    if (notify & tern::kDsnNotifyFailure) add("FAILURE");
    if (notify & tern::kDsnNotifyDelay) add("DELAY");
    return out;
}

// ORCPT=type;xtext(address) (RFC 3461 section 4.2); the queue keeps it decoded.
std::string orcpt_param(std::string_view orcpt) {
    const std::size_t semi = orcpt.find(';');
    if (semi == std::string_view::npos || semi == 0) return {};
    return " ORCPT=" + std::string(orcpt.substr(0, semi)) + ";" + tern::encode_xtext(orcpt.substr(semi + 1));
}

}  // namespace

Features parse_ehlo(const tern::SmtpReply& reply) {
    Features f;
    f.esmtp = true;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
        const std::vector<std::string> words = tern::split_on(reply.lines[i], " ");
        if (words.empty()) continue;
        const std::string keyword = tern::to_lower(words[0]);
        if (keyword == "pipelining") f.pipelining = true;
        else if (keyword == "8bitmime") f.eightbitmime = true;
        else if (keyword == "smtputf8") f.smtputf8 = true;
        else if (keyword == "dsn") f.dsn = true;
        else if (keyword == "size") {
            f.size = true;
            if (words.size() > 1) {
                std::uint64_t limit = 0;
                const std::string& w = words[1];
                const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), limit);
                if (ec == std::errc() && end == w.data() + w.size()) f.size_limit = limit;
            }
        }
    }
    return f;
}

std::string quote_reply(const tern::SmtpReply& reply) {
    std::string out;
    const std::string code = std::to_string(reply.code);
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
        if (i > 0) out += ' ';
        out += code;
        out += i + 1 < reply.lines.size() ? '-' : ' ';
        if (!reply.enhanced.empty()) out += reply.enhanced + (reply.lines[i].empty() ? "" : " ");
        out += reply.lines[i];
    }
    if (reply.lines.empty()) out = code;
    return tern::printable(out, tern::kMaxDeliveryReasonBytes - 200);
}

// Postfix's default detail: the reply's class when it is 2 or 4, else 5.0.0
// (an enhanced code of another class than the reply's is not believed).
std::string reply_dsn(const tern::SmtpReply& reply) {
    const int kind = reply.code / 100;
    const char digit = kind == 2 || kind == 4 ? static_cast<char>('0' + kind) : '5';
    if (!reply.enhanced.empty() && reply.enhanced[0] == digit && kind == digit - '0') return reply.enhanced;
    return std::string(1, digit) + ".0.0";
}

std::string_view while_text(Stage stage, Dialect dialect) noexcept {
    switch (stage) {
    case Stage::Greeting: return "receiving the initial server greeting";
    case Stage::Hello: return dialect == Dialect::Lmtp ? "performing the LHLO handshake" : "performing the EHLO handshake";
    case Stage::Helo: return "performing the HELO handshake";
    case Stage::Mail: return "sending MAIL FROM";
    case Stage::Rcpt: return "sending RCPT TO";
    case Stage::Data: return "sending DATA command";
    case Stage::Content: return "sending message body";
    case Stage::Dot: return "sending end of data -- message may be sent more than once";
    case Stage::Rset: return "sending final RSET";
    case Stage::Quit: return "sending QUIT";
    }
    return "talking";
}

std::string Protocol::mail_command() const {
    std::string cmd = "MAIL FROM:<" + (tx_.sender.empty() ? std::string() : tern::quote_address(tx_.sender)) + ">";
    if (features_.size) cmd += " SIZE=" + std::to_string(tx_.size);
    if (tx_.eightbitmime && features_.eightbitmime) cmd += " BODY=8BITMIME";
    if (features_.smtputf8 && (tx_.smtputf8 || has_8bit(tx_.sender))) cmd += " SMTPUTF8";
    if (features_.dsn) {
        if (tx_.ret == tern::DsnRet::Full) cmd += " RET=FULL";
        if (tx_.ret == tern::DsnRet::Headers) cmd += " RET=HDRS";
        if (!tx_.envid.empty()) cmd += " ENVID=" + tern::encode_xtext(tx_.envid);
    }
    return cmd + "\r\n";
}

std::string Protocol::rcpt_command(const TxRecipient& r) const {
    std::string cmd = "RCPT TO:<" + tern::quote_address(r.address) + ">";
    if (features_.dsn) {
        if (r.notify != 0) cmd += " NOTIFY=" + notify_text(r.notify);
        if (!r.orcpt.empty()) cmd += orcpt_param(r.orcpt);
    }
    return cmd + "\r\n";
}

// SMTPUTF8 is required when an envelope address is not ASCII (RFC 6531);
// a message merely flagged SMTPUTF8 with ASCII addresses goes out as is.
bool needs_smtputf8(const Transaction& tx) noexcept {
    if (has_8bit(tx.sender)) return true;
    for (const TxRecipient& r : tx.recipients)
        if (has_8bit(r.address)) return true;
    return false;
}

}  // namespace smtp
