#include "agentsudo/guardrails.hpp"

#include <re2/re2.h>

#include <algorithm>

#include "agentsudo/errors.hpp"
#include "agentsudo/session.hpp"
#include "sdk/event_clock.hpp"
#include "sdk/event_dispatcher.hpp"
#include "sdk/session_state.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {

namespace detail {

// The compiled form of GuardrailOptions.
struct GuardrailRules {
  std::vector<std::string> lowercase_topics;
  std::vector<std::unique_ptr<RE2>> blocked_patterns;
  std::vector<std::string> lowercase_keywords;
  std::vector<TextValidator> input_validators;
  std::vector<TextValidator> output_validators;
  OnViolation on_violation;
  std::string redirect_message;
};

}  // namespace detail

namespace {

// Inputs shorter than this pass the topic rule as follow-ups ("yes", "ok").
constexpr std::size_t kFollowUpCharacters = 20;
constexpr std::size_t kPreviewBytes = 40;

std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::size_t utf8_characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

std::vector<std::string> lowercase_all(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& word : words)
    out.push_back(ascii_lowercase(word));
  return out;
}

std::shared_ptr<const detail::GuardrailRules> compile(GuardrailOptions options) {
  auto rules = std::make_shared<detail::GuardrailRules>();
  rules->lowercase_topics = lowercase_all(options.allowed_topics);
  rules->lowercase_keywords = lowercase_all(options.blocked_keywords);
  RE2::Options re2_options;
  re2_options.set_log_errors(false);
  for (const std::string& pattern : options.blocked_patterns) {
    auto regex = std::make_unique<RE2>(pattern, re2_options);
    if (!regex->ok()) {
      throw ConfigurationError("blocked pattern '" + pattern +
                               "' does not compile: " + regex->error());
    }
    rules->blocked_patterns.push_back(std::move(regex));
  }
  rules->input_validators = std::move(options.input_validators);
  rules->output_validators = std::move(options.output_validators);
  rules->on_violation = options.on_violation;
  rules->redirect_message = std::move(options.redirect_message);
  return rules;
}

std::optional<GuardrailFinding> run_validators(const std::vector<TextValidator>& validators,
                                               std::string_view text, const char* rule) {
  for (const TextValidator& validate : validators) {
    if (auto reason = validate(text))
      return GuardrailFinding{rule, std::move(*reason)};
  }
  return std::nullopt;
}

// The guardrails of the current agent; outside a session, or for an agent
// without any, the defaults (prompt-injection detection, raise).
const Guardrails& current_guardrails() {
  static const Guardrails* defaults =
      new Guardrails();  // Never destroyed: see prompt_injection.cpp.
  const Agent* agent = current_agent();
  return agent != nullptr && agent->guardrails() != nullptr ? *agent->guardrails() : *defaults;
}

void record_violation(const GuardrailFinding& finding, std::string_view text) {
  EventDispatcher& events = EventDispatcher::instance();
  if (!events.wants_events())
    return;
  EventRecord event;
  event.timestamp = EventClock::wall_time_now();
  event.action = EventAction::kGuardrailViolation;
  event.allowed = false;
  if (const detail::SessionPtr* session = detail::SessionAccess::current()) {
    event.session = *session;
  }
  event.guardrail = std::make_unique<const GuardrailDetail>(
      GuardrailDetail{finding.rule, finding.reason, to_field_text(text, kPreviewBytes)});
  events.dispatch(std::move(event));
}

// Records the violation and applies the policy of `rails`.
GuardrailVerdict apply_policy(const Guardrails& rails, GuardrailFinding finding,
                              std::string_view text) {
  record_violation(finding, text);
  switch (rails.on_violation()) {
    case OnViolation::kRaise:
      throw GuardrailViolation(finding.rule, finding.reason);
    case OnViolation::kLog:
      return GuardrailVerdict{
          .proceed = true, .redirect_message = {}, .finding = std::move(finding)};
    case OnViolation::kRedirect:
      break;
  }
  return GuardrailVerdict{.proceed = false,
                          .redirect_message = rails.redirect_message(),
                          .finding = std::move(finding)};
}

}  // namespace

Guardrails::Guardrails(GuardrailOptions options) : rules_(compile(std::move(options))) {}

std::optional<GuardrailFinding> Guardrails::inspect_input(std::string_view input) const {
  if (auto injection = detect_prompt_injection(input))
    return injection;
  re2::StringPiece piece(input.data(), input.size());
  for (const auto& pattern : rules_->blocked_patterns) {
    if (RE2::PartialMatch(piece, *pattern)) {
      return GuardrailFinding{"blocked_pattern",
                              "matches blocked pattern /" + pattern->pattern() + "/"};
    }
  }
  std::string lowercase = ascii_lowercase(input);
  for (const std::string& keyword : rules_->lowercase_keywords) {
    if (lowercase.find(keyword) != std::string::npos) {
      return GuardrailFinding{"blocked_keyword", "contains blocked keyword '" + keyword + "'"};
    }
  }
  if (!rules_->lowercase_topics.empty() && utf8_characters(input) >= kFollowUpCharacters &&
      std::none_of(
          rules_->lowercase_topics.begin(), rules_->lowercase_topics.end(),
          [&](const std::string& topic) { return lowercase.find(topic) != std::string::npos; })) {
    return GuardrailFinding{"off_topic", "mentions none of the allowed topics"};
  }
  return run_validators(rules_->input_validators, input, "input_validator");
}

std::optional<GuardrailFinding> Guardrails::inspect_output(std::string_view output) const {
  return run_validators(rules_->output_validators, output, "output_validator");
}

OnViolation Guardrails::on_violation() const noexcept {
  return rules_->on_violation;
}

const std::string& Guardrails::redirect_message() const noexcept {
  return rules_->redirect_message;
}

GuardrailVerdict check_guardrails(std::string_view input) {
  const Guardrails& rails = current_guardrails();
  auto finding = rails.inspect_input(input);
  if (!finding)
    return {};
  return apply_policy(rails, std::move(*finding), input);
}

GuardrailVerdict check_guardrails_output(std::string_view output) {
  const Guardrails& rails = current_guardrails();
  auto finding = rails.inspect_output(output);
  if (!finding)
    return {};
  return apply_policy(rails, std::move(*finding), output);
}

}  // namespace agentsudo
