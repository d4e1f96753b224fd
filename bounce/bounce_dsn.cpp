// bounce/bounce_dsn.cpp - compose an RFC 3464 delivery status notification (see bounce_dsn.h)
#include "bounce/bounce_dsn.h"

#include <cctype>
#include <algorithm>
#include <cstdio>

#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/mail_date.h"

namespace bounce {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kMaxReasonBytes = 4000;
constexpr std::size_t kMaxMessageIdBytes = 998;

constexpr std::string_view kFailureText =
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients. It's attached below.\r\n"
    "\r\n";

constexpr std::string_view kDelayWarning =
    "####################################################################\r\n"
    "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
    "####################################################################\r\n";

// Ends the failure and the delay notice, as Postfix's bounce templates.
constexpr std::string_view kPostmasterHelp =
    "For further assistance, please send mail to postmaster.\r\n"
    "\r\n"
    "If you do so, please include this problem report. You can\r\n"
    "delete your own text from the attached returned message.\r\n"
    "\r\n"
    "                   The mail system\r\n";

constexpr std::string_view kSuccessText =
    "Your message was successfully delivered to the destination(s)\r\n"
    "listed below. If the message was delivered to mailbox you will\r\n"
    "receive no further notifications. Otherwise you may still receive\r\n"
    "notifications of mail delivery errors from other systems.\r\n"
    "\r\n"
    "                   The mail system\r\n";

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

void line(std::string& out, std::string_view text) { out.append(text).append(kCrlf); }

void wrapped(std::string& out, std::string_view text) {
    for (const std::string& l : wrap_line(text, kWrapColumns, kWrapIndent)) line(out, l);
}

std::string_view subject(const DsnInput& in) noexcept {
    switch (in.kind) {
        case DsnKind::Failure:
            return in.postmaster_copy ? "Postmaster Copy: Undelivered Mail" : "Undelivered Mail Returned to Sender";
        case DsnKind::Delay:
            return in.postmaster_copy ? "Postmaster Warning: Delayed Mail" : "Delayed Mail (still being retried)";
        case DsnKind::Success:
            return "Successful Mail Delivery Report";
    }
    return "";
}

// RFC 3464 diagnostic-type is an atom: Postfix maps specials in mail_name to '-'.
// Capitalized as field names are ("X-Tern-Queue-ID" where Postfix writes "X-Postfix-Queue-ID").
std::string atom_of(std::string_view mail_name) {
    std::string atom = tern::printable(mail_name, 64);
    for (char& c : atom)
        if (std::string_view(" \t()<>@,;:\\\".[]").find(c) != std::string_view::npos) c = '-';
    if (!atom.empty() && atom.front() >= 'a' && atom.front() <= 'z')
        atom.front() = static_cast<char>(atom.front() - 'a' + 'A');
    return atom;
}

std::string message_id(const DsnInput& in) {
    std::tm utc{};
    ::gmtime_r(&in.now, &utc);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d%02d%02d%02d%02d%02d", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                  utc.tm_hour, utc.tm_min, utc.tm_sec);
    return "<" + std::string(stamp) + "." + tern::printable(in.new_queue_id, 64) + "@" +
           tern::printable(in.myhostname, 255) + ">";
}

std::string boundary_of(const DsnInput& in) {
    return tern::printable(in.queue_id, 64) + "." + std::to_string(static_cast<long long>(in.now)) + "/" +
           tern::printable(in.myhostname, 255);
}

std::string_view encoding(const DsnInput& in) noexcept { return in.eight_bit ? "8bit" : ""; }

void message_headers(std::string& out, const DsnInput& in, std::string_view boundary) {
    const std::string host = tern::printable(in.myhostname, 255);
    line(out, "Date: " + tern::rfc5322_date(in.now));
    line(out, "From: MAILER-DAEMON@" + host + " (Mail Delivery System)");
    line(out, "Subject: " + std::string(subject(in)));
    wrapped(out, "To: " + tern::quote_address(in.to));
    const std::string original_id = original_message_id(header_section(in.original));
    if (!original_id.empty()) {
        line(out, "References: " + original_id);
        line(out, "In-Reply-To: " + original_id);
    }
    line(out, in.postmaster_copy ? "Auto-Submitted: auto-generated" : "Auto-Submitted: auto-replied");
    line(out, "MIME-Version: 1.0");
    line(out, "Content-Type: multipart/report; report-type=delivery-status;");
    line(out, "\tboundary=\"" + std::string(boundary) + "\"");
    if (!encoding(in).empty()) line(out, "Content-Transfer-Encoding: " + std::string(encoding(in)));
    line(out, "Message-Id: " + message_id(in));
    line(out, "");
    line(out, "This is a MIME-encapsulated message.");
}

void template_text(std::string& out, const DsnInput& in) {
    if (in.postmaster_copy) return;
    line(out, "This is the mail system at host " + tern::printable(in.myhostname, 255) + ".");
    line(out, "");
    switch (in.kind) {
        case DsnKind::Failure:
            out.append(kFailureText).append(kPostmasterHelp);
            return;
        case DsnKind::Delay:
            out.append(kDelayWarning);
            line(out, "");
            line(out, "Your message could not be delivered for more than " +
                          std::to_string(in.delay_warning_hours) + " hour(s).");
            line(out, "It will be retried until it is " + std::to_string(in.max_queue_lifetime_s / 86400) +
                          " day(s) old.");
            line(out, "");
            out.append(kPostmasterHelp);
            return;
        case DsnKind::Success:
            out.append(kSuccessText);
            return;
    }
}

void notification_part(std::string& out, const DsnInput& in, std::string_view boundary) {
    line(out, "");
    line(out, "--" + std::string(boundary));
    line(out, "Content-Description: Notification");
    line(out, "Content-Type: text/plain; charset=us-ascii");
    line(out, "");
    template_text(out, in);
    for (const tern::DeliveryRecord& r : in.records) {
        line(out, "");
        wrapped(out, "<" + tern::printable(r.recipient, 1000) + ">: " + tern::printable(r.reason, kMaxReasonBytes));
    }
}

void recipient_fields(std::string& out, const DsnInput& in, const tern::DeliveryRecord& r, std::string_view atom) {
    line(out, "");
    line(out, "Final-Recipient: rfc822; " + tern::printable(r.recipient, 1000));
    if (!r.orcpt.empty()) {
        const std::string orcpt = tern::printable(r.orcpt, 1000);
        line(out, "Original-Recipient: " + (orcpt.find(';') == std::string::npos ? "rfc822; " + orcpt : orcpt));
    }
    line(out, "Action: " + (in.kind == DsnKind::Failure ? std::string("failed") : tern::printable(r.action, 64)));
    line(out, "Status: " + tern::printable(r.status, 32));
    if (!r.remote_mta.empty()) wrapped(out, "Remote-MTA: dns; " + tern::printable(r.remote_mta, 255));
    if (!r.diagnostic.empty() && r.diagnostic.find(';') != std::string::npos)
        wrapped(out, "Diagnostic-Code: " + tern::printable(r.diagnostic, kMaxReasonBytes));
    else
        wrapped(out, "Diagnostic-Code: X-" + std::string(atom) + "; " + tern::printable(r.reason, kMaxReasonBytes));
    if (in.kind == DsnKind::Delay)
        line(out, "Will-Retry-Until: " + tern::rfc5322_date(static_cast<std::time_t>(in.arrival_s +
                                                                                         in.max_queue_lifetime_s)));
}

void report_part(std::string& out, const DsnInput& in, std::string_view boundary) {
    const std::string atom = atom_of(in.mail_name);
    line(out, "");
    line(out, "--" + std::string(boundary));
    line(out, "Content-Description: Delivery report");
    line(out, "Content-Type: message/delivery-status");
    line(out, "");
    line(out, "Reporting-MTA: dns; " + tern::printable(in.myhostname, 255));
    if (!in.envid.empty()) line(out, "Original-Envelope-Id: " + tern::printable(in.envid, 100));
    line(out, "X-" + atom + "-Queue-ID: " + tern::printable(in.queue_id, 64));
    if (!in.sender.empty()) line(out, "X-" + atom + "-Sender: rfc822; " + tern::printable(in.sender, 1000));
    if (in.arrival_s > 0) line(out, "Arrival-Date: " + tern::rfc5322_date(static_cast<std::time_t>(in.arrival_s)));
    for (const tern::DeliveryRecord& r : in.records) recipient_fields(out, in, r, atom);
}

void original_part(std::string& out, const DsnInput& in, std::string_view boundary) {
    const bool headers_only = returned_part(in) == Returned::Headers;
    const bool undelivered = in.kind != DsnKind::Success;
    line(out, "");
    line(out, "--" + std::string(boundary));
    line(out, std::string("Content-Description: ") + (undelivered ? "Undelivered " : "") +
                  (headers_only ? "Message Headers" : "Message"));
    line(out, headers_only ? "Content-Type: text/rfc822-headers" : "Content-Type: message/rfc822");
    if (!encoding(in).empty()) line(out, "Content-Transfer-Encoding: " + std::string(encoding(in)));
    line(out, "");
    // cleanup removes Return-Path: from mail it takes in; Postfix puts one back here.
    line(out, "Return-Path: <" + tern::quote_address(in.sender) + ">");
    const std::string_view original = headers_only ? header_section(in.original) : in.original;
    out.append(original);
    if (!original.empty() && original.back() != '\n') out.append(kCrlf);
    line(out, "");
    line(out, "--" + std::string(boundary) + "--");
}

}  // namespace

Returned returned_part(const DsnInput& in) noexcept {
    if (in.headers_only || in.ret == tern::DsnRet::Headers) return Returned::Headers;
    if (in.kind != DsnKind::Failure && in.ret != tern::DsnRet::Full) return Returned::Headers;
    if (in.bounce_size_limit > 0 && in.original_size > in.bounce_size_limit) return Returned::Headers;
    return Returned::Message;
}

std::string compose_dsn(const DsnInput& in) {
    const std::string boundary = boundary_of(in);
    std::string out;
    out.reserve(4096 + in.original.size());
    message_headers(out, in, boundary);
    notification_part(out, in, boundary);
    report_part(out, in, boundary);
    original_part(out, in, boundary);
    return out;
}

std::string_view header_section(std::string_view content, std::size_t max_bytes) noexcept {
    std::size_t pos = 0;
    while (pos < content.size()) {
        const std::size_t lf = content.find('\n', pos);
        const std::size_t next = lf == std::string_view::npos ? content.size() : lf + 1;
        std::string_view text = content.substr(pos, next - pos);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        if (text.empty()) break;
        if (!is_blank(text.front())) {  // a header starts with a name of printable ASCII then ':'
            const std::size_t colon = text.find(':');
            if (colon == 0 || colon == std::string_view::npos) break;
            for (std::size_t i = 0; i < colon; ++i)
                if (text[i] <= ' ' || text[i] > '~') return content.substr(0, pos);
        }
        if (next > max_bytes) break;
        pos = next;
    }
    return content.substr(0, pos);
}

std::string original_message_id(std::string_view headers) {
    std::string value;
    bool in_message_id = false;
    for (std::size_t pos = 0; pos < headers.size();) {
        const std::size_t lf = headers.find('\n', pos);
        const std::size_t next = lf == std::string_view::npos ? headers.size() : lf + 1;
        std::string_view text = headers.substr(pos, next - pos);
        pos = next;
        if (!text.empty() && is_blank(text.front())) {
            if (in_message_id) value.append(text);
            continue;
        }
        if (in_message_id) break;  // the first Message-ID only
        const std::size_t colon = text.find(':');
        if (colon == std::string_view::npos) continue;
        if (tern::iequals(tern::trim(text.substr(0, colon)), "message-id")) {
            in_message_id = true;
            value.assign(text.substr(colon + 1));
        }
    }
    const std::string_view id = tern::trim(value);
    if (id.size() < 3 || id.size() > kMaxMessageIdBytes || id.front() != '<' || id.back() != '>') return "";
    for (const char c : id)
        if (c <= ' ' || c > '~') return "";
    return std::string(id);
}

std::vector<std::string> wrap_line(std::string_view text, std::size_t columns, std::size_t indent) {
    std::vector<std::string> lines;
    std::size_t current_indent = 0;
    std::size_t start = 0;  // start of the line being built
    std::size_t word = 0;
    const auto emit = [&](std::size_t end) {
        while (end > start && is_blank(text[end - 1])) --end;
        lines.push_back(std::string(current_indent, ' ') + std::string(text.substr(start, end - start)));
    };
    while (word < text.size()) {
        word = std::max(word, start);
        std::size_t space = word;
        while (space < text.size() && !is_blank(text[space])) ++space;
        const std::size_t room = columns > current_indent ? columns - current_indent : 0;
        if (word > start && space - start > room) {
            emit(word);
            start = word;
            while (start < text.size() && is_blank(text[start])) ++start;
            if (lines.size() == 1) current_indent = std::min(indent, columns);
        }
        word = space < text.size() ? space + 1 : text.size();
    }
    emit(text.size());
    return lines;
}

}  // namespace bounce
