// Outbound messages: where a message is sent. The channel and its fallbacks, rendering
// merge fields, the policies (channel off, number rules, opt-outs, caps), the transport call,
// and failures (`on send.failed`).
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

const TemplateDecl* Engine::Impl::find_template(const FlowRt& f, const std::string& name,
                                                ChannelKind kind) const {
    const TemplateDecl* any = nullptr;
    for (const auto& t : f.def->templates) {
        if (t.name != name) continue;
        if (t.kind == kind) return &t;
        if (!t.kind) any = &t;
    }
    return any;
}

// Whether the action's own text (inline, or its template for `kind`) is exactly what was
// sent, so that last_message() can read it off again instead of keeping a copy.
bool Engine::Impl::source_text(const FlowRt& f, const Action& a, ChannelKind kind,
                               const std::string& text,
                               const std::optional<std::string>& subject) const {
    if (a.inline_text) return *a.inline_text == text && !subject;
    const auto* t = find_template(f, a.template_name, kind);
    return t && t->text == text && t->subject == subject;
}

// The text and subject of the state's last outbound message.
std::pair<std::string, std::optional<std::string>>
Engine::Impl::last_message(const Inst& inst) const {
    const auto& last = inst.last;
    if (last.rendered) return *last.rendered;
    const auto& f = flows[inst.flow];
    const Action& a = *last.action;
    if (a.inline_text) return {*a.inline_text, std::nullopt};
    const auto* t = find_template(f, a.template_name, f.def->channels[last.channel].kind);
    return {t->text, t->subject};
}

std::string Engine::Impl::recipient(const Inst& inst, const ChannelDecl& ch) const {
    return ch.to_is_literal ? ch.to : text_of(inst, ch.to);
}

void Engine::Impl::failed(Inst& inst, Fields fields) {
    inst.send_failed = true;
    for (const auto& [name, value] : fields)
        if (name == "error") inst.more().send_error = value;
    record(&inst, inst.flow, RecordKind::failed, std::move(fields));
}

// What `on send.failed` hands the instance: `send_error`, the failure's text, which a flow
// keeps by declaring a text field of that name.
Data Engine::Impl::failure_data(Inst& inst) {
    if (!inst.extra || inst.extra->send_error.empty()) return {};
    return {{"send_error", inst.extra->send_error}};
}

// A message's text and subject with the instance's merge fields filled in, and the fields
// that had no value (each once; `subject` becomes the rendered one).
detail::Rendered Engine::Impl::render(const Inst& inst, std::string_view text,
                                      std::optional<std::string>& subject) const {
    auto lookup = [&](std::string_view name,
                      std::string_view format) -> std::optional<std::string> {
        auto v = merge_text(inst, name, format);
        if (v.empty()) return std::nullopt;
        return v;
    };
    auto body = detail::render_merge(text, lookup);
    if (subject) {
        auto sub = detail::render_merge(*subject, lookup);
        subject = sub.text;
        for (auto& m : sub.missing)
            if (std::find(body.missing.begin(), body.missing.end(), m) == body.missing.end())
                body.missing.push_back(m);
    }
    return body;
}

// Renders and sends (or fails, or suppresses) one send action. Always inside a step that
// sends (a state's entry, a repeat's tick, a deferred send): the step takes
// `on send.failed` and schedules the reminders once its actions are done.
void Engine::Impl::send(Inst& inst, const Action& a) {
    auto& f = flows[inst.flow];
    std::vector<std::string> order{a.channel};
    order.insert(order.end(), a.fallback.begin(), a.fallback.end());
    const ChannelDecl* ch = nullptr;
    std::string to;
    for (const auto& name : order) {
        auto it = f.channels.find(name);
        if (it == f.channels.end()) continue;
        auto r = recipient(inst, *it->second);
        if (!r.empty()) {
            ch = it->second;
            to = r;
            break;
        }
        if (order.size() > 1) {
            record(&inst, inst.flow, RecordKind::fallback,
                   {{"channel", name}, {"why", "no " + it->second->to}});
        }
    }
    if (!ch) {
        failed(inst, {{"channel", a.channel}, {"error", "no recipient on any channel"}});
        return;
    }
    std::string text;
    std::optional<std::string> subject;
    if (a.inline_text) {
        text = *a.inline_text;
    } else if (const auto* t = find_template(f, a.template_name, ch->kind)) {
        text = t->text;
        subject = t->subject;
    } else {
        failed(inst, {{"channel", ch->name}, {"error", "no template " + a.template_name}});
        return;
    }
    auto body = render(inst, text, subject);
    const auto& missing = body.missing;
    if (!missing.empty()) {
        std::string names;
        for (const auto& m : missing)
            names += (names.empty() ? "" : ", ") + m;
        failed(inst, {{"channel", ch->name}, {"error", "missing merge value: " + names}});
        return;
    }
    if (deliver(inst, *ch, to, std::move(subject), std::move(body.text), &a,
                OnFailure::left_to_step)) {
        // A new message: reminders count from it.
        inst.reminder_index = 0;
        inst.reminder_count = 0;
    }
}

// Policy (numbers, opt-out, cap) then the transport. True when the transport took it.
// `source`: the send action; none for a reminder, or for a message a person wrote
// (`by` names them), which neither counts as the state's message nor moves reminders.
// `on_failure`: who takes `on send.failed` when the transport or the segment cap fails it.
bool Engine::Impl::deliver(Inst& inst, const ChannelDecl& ch, const std::string& to,
                           std::optional<std::string> subject, std::string text,
                           const Action* source, OnFailure on_failure, std::string_view by) {
    auto& f = flows[inst.flow];
    bool manual = !by.empty();
    bool reminder = source == nullptr && !manual;
    auto ci = static_cast<std::size_t>(&ch - f.def->channels.data());
    bool phone_channel = ch.kind == ChannelKind::sms || ch.kind == ChannelKind::voice;
    auto suppress = [&](std::string reason, std::string detail_text) {
        f.metrics.suppressed[reason]++;
        record(&inst, inst.flow, RecordKind::suppressed,
               {{"channel", ch.name}, {"to", to}, {"reason", reason}, {"why", detail_text}});
        return false;
    };
    if (ch.off) return suppress("channel_off", "channel " + ch.name + " is off");
    if (phone_channel && f.def->numbers && !ch.to_is_literal) {
        auto info = detail::inspect_number(to, f.ctx.region);
        using NT = detail::NumberType;
        bool personal = info.type == NT::mobile || info.type == NT::fixed_line ||
                        info.type == NT::fixed_line_or_mobile || info.type == NT::voip ||
                        info.type == NT::personal_number;
        bool kind_ok = personal || (f.def->numbers->every_kind && info.valid);
        if (!detail::number_allowed(*f.def->numbers, info) || !kind_ok) {
            std::string why = !info.valid
                                  ? "not a valid number"
                                  : std::string(detail::to_string(info.type)) + " number in " +
                                        (info.region.empty() ? "?" : info.region);
            return suppress("number_policy", why);
        }
    }
    if (!suppressions.empty()) {
        auto address = address_of(inst, ci);
        if (opted_out(inst.flow, address)) return suppress("opted_out", address + " opted out");
    }
    for (const auto& cap : f.def->caps) {
        if (cap.channel != ch.name) continue;
        auto since = detail::add(now(), Duration{-cap.per.count, cap.per.unit}, zone_of(inst));
        const auto& log = inst.more().sent_log;
        auto n = std::count_if(log.begin(), log.end(), [&](const auto& s) {
            return s.first == ch.name && s.second > since;
        });
        if (n >= cap.count) {
            return suppress("cap", std::to_string(cap.count) + " per " + to_text(cap.per));
        }
    }
    for (const auto& cap : f.def->segment_caps) {
        if (cap.channel != ch.name || ch.kind != ChannelKind::sms) continue;
        if (auto parts = detail::sms_segments(text); parts > cap.count) {
            failed(inst,
                   {{"channel", ch.name},
                    {"to", to},
                    {"error", "the message takes " + std::to_string(parts) +
                                  " SMS parts, over the cap of " + std::to_string(cap.count)}});
            if (on_failure == OnFailure::at_once) after_failure(inst);
            return false;
        }
    }
    Message m;
    m.id = f.def->name + "/" + std::to_string(inst.id) + "/" + std::to_string(++inst.messages);
    m.flow = f.def->name;
    m.instance = inst.id;
    m.key = inst.key;
    m.channel = ch.name;
    m.kind = ch.kind;
    m.to = to;
    m.from = ch.from.value_or("");
    m.subject = subject;
    m.text = text;
    m.at = now();
    m.reminder = reminder;
    SendResult result;
    try {
        result = transport.send(m);
    } catch (const std::exception& e) {
        result = {false, {}, e.what()};
    } catch (...) {
        result = {false, {}, "the transport threw"};
    }
    if (!result.accepted) {
        failed(inst, {{"channel", ch.name}, {"to", to}, {"error", result.error}});
        if (on_failure == OnFailure::at_once) after_failure(inst);
        return false;
    }
    f.metrics.sends[ch.name]++;
    if (!f.def->caps.empty()) inst.more().sent_log.emplace_back(ch.name, m.at);
    if (tracing()) {
        Fields fields{{"channel", ch.name}, {"to", to}};
        if (subject) fields.emplace_back("subject", *subject);
        fields.emplace_back("text", text);
        fields.emplace_back("id", m.id);
        if (!result.transport_id.empty()) fields.emplace_back("transport_id", result.transport_id);
        if (reminder) fields.emplace_back("reminder", "true");
        if (manual) fields.emplace_back("by", std::string(by));
        record(&inst, inst.flow, RecordKind::sent, std::move(fields));
    }
    if (!reminder && !manual) {
        Outbound last;
        last.at = m.at;
        last.first_at = m.at;
        last.action = source;
        last.channel = static_cast<std::uint32_t>(ci);
        // Kept only when the action's own text would not give it back.
        if (!source_text(f, *source, ch.kind, text, m.subject))
            last.rendered = std::make_unique<std::pair<std::string, std::optional<std::string>>>(
                std::move(text), std::move(m.subject));
        inst.last = std::move(last);
    }
    return true;
}

// A failure outside a state's entry: `on send.failed` may route it.
void Engine::Impl::after_failure(Inst& inst) {
    if (inst.send_failed && live(inst)) take_event(inst, "send.failed", failure_data(inst));
}

} // namespace nudge
