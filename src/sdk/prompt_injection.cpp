// The always-on prompt-injection detection of every Guardrails.
#include <re2/re2.h>

#include <array>
#include <memory>

#include "agentsudo/guardrails.hpp"
#include "sdk/text_field.hpp"

namespace agentsudo {
namespace {

// One family of injection phrasing and what to call it in a finding.
struct InjectionSignature {
  const char* pattern;
  const char* reason;
};

// Our own patterns, tuned to catch instructions aimed at the model while
// letting ordinary requests through ("ignore my previous email" is fine;
// "ignore your previous instructions" is not). Case-insensitive, RE2 syntax,
// so matching stays linear in the input.
constexpr std::array kSignatures{
    InjectionSignature{
        R"(\b(ignore|disregard|forget|overlook|bypass)\s+((all|any|the|of|your|my|these|those)\s+)*)"
        R"((previous|prior|above|earlier|preceding|original|initial|system|all|your|the)\b)"
        R"([^.\n]{0,40}?\b(instructions?|prompts?|rules|directions|directives|guidelines|programming))",
        "asks to ignore its previous instructions"},
    InjectionSignature{
        R"(\b(ignore|disregard|forget)\s+(everything|anything|all)\s+)"
        R"((above|before|earlier|previously|you\s+were\s+told|you've\s+been\s+told))",
        "asks to ignore its previous instructions"},
    InjectionSignature{
        R"(\b(pretend|imagine)\s+(that\s+)?(you\s+are|you're|to\s+be)\b|\byou\s+are\s+now\b|)"
        R"(\bfrom\s+now\s+on,?\s+you\s+(are|will\s+be|must)\b|\brole-?\s?play\s+as\b|)"
        R"(\b(you\s+(will\s+|must\s+|should\s+|shall\s+)?(now\s+)?|^\s*)act\s+as\s+(an?|the|my|if)\b)",
        "asks it to pretend to be someone else"},
    InjectionSignature{
        R"(\b(new|updated|different|real|actual|secret)\s+(instructions?|rules|persona|)"
        R"(system\s+prompt|directives?|role)\s*(:|are\b|is\b)|\bhere\s+are\s+your\s+new\b|)"
        R"(\byour\s+new\s+(instructions?|rules|persona|role|task)\b)",
        "announces new instructions or a new persona"},
    InjectionSignature{
        R"((^|\n)\s*(system|system\s+prompt)\s*:|\[\s*/?\s*system\s*\]|<\|?\s*/?\s*system\s*\|?>|)"
        R"(<<\s*/?\s*sys\s*>>|#{2,}\s*system\b)",
        "contains a fake system marker"},
    InjectionSignature{
        R"(\b(override|bypass|circumvent|disable|turn\s+off|get\s+around)\s+)"
        R"(((all|your|the|any|these|its|of)\s+)*(safety\s+)?(rules|restrictions|safety|)"
        R"(guidelines|guardrails|instructions|policies|programming|limitations|constraints)\b)",
        "asks it to override its rules"},
};

// The compiled signatures, built on first use and never destroyed (checks
// may run during static destruction).
const std::vector<std::unique_ptr<RE2>>& compiled_signatures() {
  static auto* compiled = [] {
    auto* list = new std::vector<std::unique_ptr<RE2>>();
    RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    for (const InjectionSignature& signature : kSignatures) {
      list->push_back(std::make_unique<RE2>("(" + std::string(signature.pattern) + ")", options));
    }
    return list;
  }();
  return *compiled;
}

constexpr std::size_t kMaxQuotedPhrase = 60;

}  // namespace

std::optional<GuardrailFinding> detect_prompt_injection(std::string_view text) {
  const auto& signatures = compiled_signatures();
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    re2::StringPiece phrase;
    if (RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *signatures[i], &phrase)) {
      std::string quoted =
          to_field_text(std::string_view(phrase.data(), phrase.size()), kMaxQuotedPhrase);
      return GuardrailFinding{
          .rule = "prompt_injection",
          .reason = std::string(kSignatures[i].reason) + ": \"" + quoted + "\""};
    }
  }
  return std::nullopt;
}

}  // namespace agentsudo
