#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace agentsudo {

namespace detail {
struct GuardrailRules;
}  // namespace detail

// A custom check of a text: returns the reason it is refused, or nullopt.
using TextValidator = std::function<std::optional<std::string>(std::string_view text)>;

// What happens when a text breaks a guardrail.
enum class OnViolation {
  kRaise,     // Throw GuardrailViolation.
  kLog,       // Record the violation and let the text through.
  kRedirect,  // Answer with GuardrailOptions::redirect_message instead.
};

struct GuardrailOptions {
  // If not empty, inputs of 20 characters or more must mention one of these
  // (case-insensitive substring); shorter inputs pass as follow-ups ("yes").
  std::vector<std::string> allowed_topics;
  // RE2 regular expressions (linear time: no input can stall a check).
  std::vector<std::string> blocked_patterns;
  // Case-insensitive substrings.
  std::vector<std::string> blocked_keywords;
  std::vector<TextValidator> input_validators;
  std::vector<TextValidator> output_validators;
  OnViolation on_violation = OnViolation::kRaise;
  std::string redirect_message = "Sorry, I can't help with that request.";
};

// Why a text was refused.
struct GuardrailFinding {
  // "prompt_injection", "blocked_pattern", "blocked_keyword", "off_topic",
  // "input_validator" or "output_validator".
  std::string rule;
  // A short explanation that never quotes more than the matched phrase.
  std::string reason;
};

// The rules an agent's texts must follow. Prompt-injection detection is
// always on. Regexes are compiled once, here.
//
// Immutable; safe to use from any number of threads (custom validators must
// be thread-safe themselves).
class Guardrails {
 public:
  // Throws ConfigurationError for a blocked pattern that does not compile.
  explicit Guardrails(GuardrailOptions options = {});

  // The first rule `input` breaks, or nullopt. Pure: no event, no exception.
  std::optional<GuardrailFinding> inspect_input(std::string_view input) const;
  // The first output rule `output` breaks, or nullopt.
  std::optional<GuardrailFinding> inspect_output(std::string_view output) const;

  OnViolation on_violation() const noexcept;
  const std::string& redirect_message() const noexcept;

 private:
  std::shared_ptr<const detail::GuardrailRules> rules_;
};

// The phrase in `text` that tries to override a model's instructions (ignore
// previous instructions, a fake "system:" marker, "you are now..."), or
// nullopt. The detection every Guardrails runs.
std::optional<GuardrailFinding> detect_prompt_injection(std::string_view text);

// What to do with a text after the guardrails saw it.
struct GuardrailVerdict {
  // False when the caller must answer with redirect_message instead.
  bool proceed = true;
  std::string redirect_message;
  // The rule broken, if any (also set when a violation was only logged).
  std::optional<GuardrailFinding> finding;
};

// Checks `input` against the current agent's guardrails (prompt-injection
// detection only for an agent without any, or outside a session) and applies
// their policy: throws GuardrailViolation (raise), or returns a verdict
// (log: proceed; redirect: don't). A violation emits a guardrail_violation event.
GuardrailVerdict check_guardrails(std::string_view input);

// As check_guardrails(), for a model's output (output validators).
GuardrailVerdict check_guardrails_output(std::string_view output);

// Wraps a callable from text to text: its input is checked before the call
// and its output after, against the current agent's guardrails. On a redirect
// the wrapper returns the redirect message instead.
template <class F>
auto with_guardrails(F&& fn) {
  return [fn = std::forward<F>(fn)](std::string_view input) mutable -> std::string {
    GuardrailVerdict before = check_guardrails(input);
    if (!before.proceed)
      return before.redirect_message;
    std::string output;
    if constexpr (std::is_invocable_v<F&, std::string_view>) {
      output = std::invoke(fn, input);
    } else {
      output = std::invoke(fn, std::string(input));
    }
    GuardrailVerdict after = check_guardrails_output(output);
    if (!after.proceed)
      return after.redirect_message;
    return output;
  };
}

}  // namespace agentsudo
