#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/literal_scope_table.hpp"

namespace agentsudo {

// One held scope, parsed once: a shell-style pattern with the semantics of
// POSIX fnmatch(3) called without flags in the C locale. `*` matches any run of
// bytes (including `:`), `?` one byte, `[abc]`, `[a-z]`, `[!a]`/`[^a]` and
// `[[:alpha:]]` one byte of a set, and `\x` the byte x. Matching is
// case-sensitive and byte-wise. Like glibc, an unterminated `[` is a literal
// `[`, and a pattern ending in a lone backslash matches nothing.
//
// Immutable after construction; safe to share between threads.
class ScopePattern {
 public:
  explicit ScopePattern(std::string_view pattern);

  // True if the whole of `scope` matches the pattern. Does not allocate.
  bool matches(std::string_view scope) const noexcept;

  // Matches `scope` from byte `offset`, assuming its first `offset` bytes
  // already matched literal_prefix(). Lets an index skip the shared prefix.
  bool matches_after_prefix(std::string_view scope, std::size_t offset) const noexcept;

  // True if the pattern has no wildcard: it matches exactly one string.
  bool is_literal() const noexcept { return is_literal_; }

  // False when the pattern has an `[` that never closes, ends in a lone
  // backslash, or has a bracket element that is invalid (`[[:foo:]]`) or
  // opens nothing (`[[=a]`): valid for fnmatch, but almost surely not what
  // was meant, so the server refuses such patterns when they are configured.
  bool is_well_formed() const noexcept {
    return !has_unclosed_bracket_ && !never_matches_ && !has_invalid_bracket_;
  }

  // The bytes every match starts with (the pattern's leading literal part).
  const std::string& literal_prefix() const noexcept { return literal_prefix_; }

  // The bytes every match ends with: the literal part after the last `*`
  // (empty without a `*`, whose matches have a fixed length instead).
  const std::string& literal_suffix() const noexcept { return literal_suffix_; }

  // The pattern as written.
  const std::string& text() const noexcept { return text_; }

 private:
  // A set of bytes, one bit per byte value.
  using ByteSet = std::array<std::uint64_t, 4>;

  struct Token {
    enum class Kind : std::uint8_t { kLiteral, kAnyByte, kAnyRun, kByteSet };
    Kind kind;
    unsigned char byte;  // The byte of a kLiteral token.
    std::uint32_t set;   // Index into byte_sets_ of a kByteSet token.
  };

  // Appends the tokens of `pattern`; sets never_matches_ when glibc would.
  void parse(std::string_view pattern);
  // Derives the prefix, suffix and length bounds from the tokens.
  void summarize();
  // Parses the bracket expression opening at `open`. Adds its byte set and
  // returns the position after its `]`, or returns 0 if it is unterminated.
  std::size_t parse_bracket(std::string_view pattern, std::size_t open);

  // One element of a bracket expression: a byte (plain, escaped or a
  // collating symbol `[.x.]`, which may bound a range), a set already added
  // (`[:alpha:]`, `[=x=]`), an element glibc calls invalid (an unknown class,
  // a longer collating symbol), or the end of the pattern.
  struct BracketElement {
    enum class Kind : std::uint8_t { kByte, kSet, kInvalid, kEnd };
    Kind kind;
    unsigned char byte;
  };
  // Reads the element at `pos` and moves past it; adds a class to `set`.
  BracketElement read_bracket_element(std::string_view pattern, std::size_t& pos, ByteSet& set);
  bool token_matches_byte(const Token& token, unsigned char byte) const noexcept;
  // A cheap necessary condition: most non-matches fail here, in a memcmp.
  bool can_match_length_and_suffix(std::string_view scope) const noexcept;

  std::string text_;
  std::vector<Token> tokens_;
  std::vector<ByteSet> byte_sets_;
  std::string literal_prefix_;
  // Number of leading tokens that make up literal_prefix_.
  std::size_t prefix_tokens_ = 0;
  // The bytes every match ends with (the literal tokens after the last `*`);
  // empty for patterns without `*`.
  std::string literal_suffix_;
  // Bytes in the shortest match: one per token that is not `*`.
  std::size_t min_length_ = 0;
  bool has_any_run_ = false;
  bool is_literal_ = false;
  // A trailing lone backslash: glibc's fnmatch then never matches.
  bool never_matches_ = false;
  // An `[` that opened no bracket expression and was taken literally.
  bool has_unclosed_bracket_ = false;
  // A bracket expression with an element glibc calls invalid (an unknown
  // class: only the elements before it can match), or a `[:` or `[=` that
  // opens nothing. glibc reads the rest of a bracket differently once a byte
  // has matched, so for these the match can differ from fnmatch's; the
  // server refuses them, and the fuzz target compares well-formed ones only.
  bool has_invalid_bracket_ = false;
};

// The scopes an agent holds, compiled for fast checks: literal scopes go into a
// hash set, patterns into an index keyed by their literal prefix (or, for
// those that open with a wildcard, their literal suffix), so a check looks at
// only the patterns that can match and never allocates.
//
// Immutable after construction; safe to share between threads.
class ScopeSet {
 public:
  // What match() returns when no held scope matches.
  static constexpr std::uint32_t kNoMatch = LiteralScopeTable::kNotFound;

  ScopeSet() = default;
  explicit ScopeSet(std::span<const std::string> held);

  // True if any held scope matches `required` (which is taken literally).
  bool allows(std::string_view required) const noexcept { return match(required) != kNoMatch; }

  // The position, in the `held` list given to the constructor, of a held
  // scope that matches `required`, or kNoMatch. Literals are preferred, then
  // the first pattern the index finds; a held "*" answers for everything.
  // The same walk as allows(), so it costs the same.
  std::uint32_t match(std::string_view required) const noexcept;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using PatternsByAffix =
      std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>;

  // Patterns whose literal prefixes (or suffixes) all have the same length.
  struct AffixBucket {
    std::size_t affix_length;
    PatternsByAffix patterns;
  };

  static void add_to_bucket(std::vector<AffixBucket>& buckets, const std::string& affix,
                            std::uint32_t pattern);

  LiteralScopeTable exact_;
  std::vector<ScopePattern> patterns_;
  // For each of patterns_, its position in the held list.
  std::vector<std::uint32_t> pattern_positions_;
  // Both sorted by affix_length. by_prefix_'s bucket of length 0 holds the
  // patterns with neither a literal prefix nor a literal suffix.
  std::vector<AffixBucket> by_prefix_;
  std::vector<AffixBucket> by_suffix_;
  // The position of a held "*" (or "**"...), which allows every scope;
  // kNoMatch when there is none.
  std::uint32_t allows_everything_ = kNoMatch;
};

}  // namespace agentsudo
