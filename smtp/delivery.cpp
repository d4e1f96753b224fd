// smtp/delivery.cpp - one request from next hop to settled recipients; see delivery.h
#include "smtp/delivery.h"

#include "lib/base/log.h"

namespace smtp {

namespace {

timeval now() noexcept {
    timeval t{};
    gettimeofday(&t, nullptr);
    return t;
}

double seconds(const timeval& a, const timeval& b) noexcept {
    const double d = static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_usec - a.tv_usec) / 1e6;
    return d > 0 ? d : 0;
}

}  // namespace

Delivery::Delivery(Agent& agent, std::unique_ptr<tern::DeliveryJob> job) : agent_(agent), job_(std::move(job)) {
    const std::size_t n = job_->request().recipients.size();
    outcomes_.resize(n);
    for (tern::AgentOutcome& o : outcomes_) {
        o.status = tern::DeliveryStatus::Deferred;
        o.dsn = "4.3.0";
        o.reason = "unknown mail transport error";
        o.relay = "none";
    }
    final_.assign(n, false);
}

double Delivery::since(const timeval& start) const noexcept { return seconds(start, now()); }

std::vector<std::size_t> Delivery::open_recipients() const {
    std::vector<std::size_t> open;
    for (std::size_t i = 0; i < final_.size(); ++i)
        if (!final_[i]) open.push_back(i);
    return open;
}

void Delivery::start() noexcept {
    const Settings& s = agent_.settings();
    Result<NextHop> hop = parse_nexthop(job_->request().nexthop, s.dialect, s.default_port);
    if (!hop) {
        settle_open({tern::DeliveryStatus::Deferred, "4.3.5", hop.error().text, ""}, false);
        finish();
        return;
    }
    hop_ = std::move(*hop);
    if (std::unique_ptr<Session> cached = agent_.cache().take(hop_.key())) {
        session_ = std::move(cached);
        session_->set_listener(*this);
        reused_ = true;
        talked_ = true;
        conn_setup_s_ = since(job_->received());
        begin_transaction();
        return;
    }
    resolve();
}

void Delivery::resolve() noexcept {
    const Settings& s = agent_.settings();
    ServerAddress a;
    if (hop_.kind == HopKind::Unix) {
        const std::string path =
            hop_.path.front() == '/' || s.socket_base.empty() ? hop_.path : s.socket_base + "/" + hop_.path;
        if (!make_server_address(s.myhostname, path, 0, a)) {
            settle_open({tern::DeliveryStatus::Deferred, "4.3.5", "socket path too long: " + hop_.path, ""}, false);
            finish();
            return;
        }
        a.address = hop_.path;  // Postfix names it as written: relay=myhostname[private/dovecot-lmtp]
        addresses_ = {a};
        next_address();
        return;
    }
    if (hop_.literal) {
        (void)make_server_address(hop_.host, hop_.host, hop_.port, a);
        addresses_ = {a};
        next_address();
        return;
    }
    lookup_ = std::make_unique<AddressLookup>(agent_.dns(), s, hop_,
                                              [this](LookupResult r) noexcept { on_lookup(std::move(r)); });
    lookup_->start();
}

void Delivery::on_lookup(LookupResult result) noexcept {
    if (result.failure) {
        settle_open(*result.failure, false);
        finish();
        return;
    }
    addresses_ = std::move(result.addresses);
    next_address();
}

void Delivery::next_address() noexcept {
    if (finished_) return;
    if (open_recipients().empty() || next_address_ >= addresses_.size() || sessions_ >= agent_.settings().mx_session_limit) {
        finish();
        return;
    }
    session_ = std::make_unique<Session>(agent_.base(), agent_.settings(), addresses_[next_address_++], *this);
    session_->connect();  // may report a failure at once
}

void Delivery::on_session_ready(Session&) noexcept {
    talked_ = true;
    ++sessions_;
    conn_setup_s_ = since(job_->received());
    begin_transaction();
}

void Delivery::begin_transaction() noexcept {
    const tern::DeliveryRequest& request = job_->request();
    const tern::QueueFile& file = job_->queue_file();
    Transaction tx;
    tx.sender = request.sender;
    tx.envid = request.envid;
    tx.ret = request.ret;
    tx.size = file.content_size;
    const std::string* body = file.attribute("body");
    tx.eightbitmime = body && *body == "8BITMIME";
    const std::string* utf8 = file.attribute("smtputf8");
    tx.smtputf8 = utf8 && *utf8 == "1";
    in_transaction_ = open_recipients();
    for (std::size_t i : in_transaction_) {
        const tern::DeliveryRecipient& r = request.recipients[i];
        tx.recipients.push_back({r.address, r.orcpt, r.notify});
    }
    tx_start_ = now();
    session_->begin(tx, job_->content());
}

void Delivery::on_session_done(Session& s) noexcept {
    const std::vector<RcptResult>& results = s.protocol().results();
    const double transmit = since(tx_start_);
    for (std::size_t k = 0; k < in_transaction_.size() && k < results.size(); ++k) {
        const RcptResult& r = results[k];
        if (!r.settled) continue;
        const std::size_t i = in_transaction_[k];
        tern::AgentOutcome& o = outcomes_[i];
        o.status = r.status;
        o.dsn = r.dsn;
        o.reason = r.reason;
        o.diagnostic = r.diagnostic;
        o.relay = s.address().relay();
        o.remote_mta = r.diagnostic.empty() ? "" : s.address().host;
        o.success_action = agent_.settings().dialect == Dialect::Lmtp ? "delivered" : "relayed";
        // An SMTP next hop that offered DSN got NOTIFY= and reports success itself.
        o.next_hop_notifies = agent_.settings().dialect == Dialect::Smtp && s.protocol().features().dsn;
        o.conn_setup_s = conn_setup_s_;
        o.transmit_s = transmit;
        final_[i] = r.status != tern::DeliveryStatus::Deferred;
    }
    const bool was_reused = reused_;
    reused_ = false;
    release_session(s.protocol().reusable());
    if (was_reused && addresses_.empty() && !open_recipients().empty()) {
        finish();  // deferred by the cached server: its reason stands until the next attempt
        return;
    }
    next_address();
}

void Delivery::on_session_failed(Session& s, const Failure& failure) noexcept {
    if (reused_) {
        // A cached connection the server had closed: not a delivery attempt.
        reused_ = false;
        release_session(false);
        resolve();
        return;
    }
    settle_open(failure, s.connected());
    release_session(false);
    next_address();
}

void Delivery::on_session_closed(Session& s) noexcept {
    on_session_failed(s, {tern::DeliveryStatus::Deferred, "4.4.2", "lost connection with " + s.address().peer(), ""});
}

void Delivery::settle_open(const Failure& failure, bool with_relay) noexcept {
    for (std::size_t i : open_recipients()) {
        tern::AgentOutcome& o = outcomes_[i];
        o.status = failure.status;
        o.dsn = failure.dsn;
        o.reason = failure.reason;
        o.diagnostic = failure.diagnostic;
        o.relay = with_relay && session_ ? session_->address().relay() : "none";
        o.remote_mta = with_relay && session_ && !failure.diagnostic.empty() ? session_->address().host : "";
        o.conn_setup_s = since(job_->received());
        o.transmit_s = 0;
        final_[i] = failure.status == tern::DeliveryStatus::Bounced;
    }
}

void Delivery::release_session(bool keep) noexcept {
    if (!session_) return;
    if (keep && session_->protocol().reusable()) agent_.cache().put(hop_.key(), std::move(session_));
    else agent_.reaper().dispose(std::make_unique<DisposableSession>(std::move(session_)));
}

void Delivery::finish() noexcept {
    if (finished_) return;
    finished_ = true;
    release_session(true);
    const bool dead = !talked_ && !addresses_.empty();
    tern::DeliveryJob::finish(std::move(job_), std::move(outcomes_), dead);
    agent_.done(*this);
}

Agent::Agent(event_base* base, Settings settings)
    : base_(base),
      settings_(std::move(settings)),
      dns_(base, settings_.resolver),
      reaper_(base),
      cache_(base, settings_, reaper_) {}

void Agent::deliver(std::unique_ptr<tern::DeliveryJob> job) noexcept {
    auto delivery = std::make_unique<Delivery>(*this, std::move(job));
    Delivery& d = *delivery;
    active_.emplace(&d, std::move(delivery));
    d.start();
}

void Agent::done(Delivery& delivery) noexcept {
    const auto it = active_.find(&delivery);
    if (it == active_.end()) return;
    reaper_.dispose(std::move(it->second));
    active_.erase(it);
}

}  // namespace smtp
