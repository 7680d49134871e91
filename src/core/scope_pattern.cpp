#include "core/scope_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace agentsudo {
namespace {

using ByteSet = std::array<std::uint64_t, 4>;

void add_byte(ByteSet& set, unsigned char byte) {
  set[byte / 64] |= std::uint64_t{1} << (byte % 64);
}

bool has_byte(const ByteSet& set, unsigned char byte) {
  return (set[byte / 64] >> (byte % 64)) & 1U;
}

// Adds the bytes of the POSIX class `name` ("alpha", "digit"...) as the C
// locale defines them. Returns false for an unknown name.
bool add_character_class(ByteSet& set, std::string_view name) {
  int (*predicate)(int) = nullptr;
  if (name == "alpha")
    predicate = [](int c) { return std::isalpha(c); };
  if (name == "digit")
    predicate = [](int c) { return std::isdigit(c); };
  if (name == "alnum")
    predicate = [](int c) { return std::isalnum(c); };
  if (name == "upper")
    predicate = [](int c) { return std::isupper(c); };
  if (name == "lower")
    predicate = [](int c) { return std::islower(c); };
  if (name == "space")
    predicate = [](int c) { return std::isspace(c); };
  if (name == "blank")
    predicate = [](int c) { return std::isblank(c); };
  if (name == "punct")
    predicate = [](int c) { return std::ispunct(c); };
  if (name == "print")
    predicate = [](int c) { return std::isprint(c); };
  if (name == "graph")
    predicate = [](int c) { return std::isgraph(c); };
  if (name == "cntrl")
    predicate = [](int c) { return std::iscntrl(c); };
  if (name == "xdigit")
    predicate = [](int c) { return std::isxdigit(c); };
  if (predicate == nullptr)
    return false;
  // Only ASCII bytes: in the C locale no byte above 0x7f is in any class.
  for (int c = 0; c < 128; ++c) {
    if (predicate(c) != 0)
      add_byte(set, static_cast<unsigned char>(c));
  }
  return true;
}

}  // namespace

ScopePattern::ScopePattern(std::string_view pattern) : text_(pattern) {
  parse(pattern);
  summarize();
}

void ScopePattern::summarize() {
  auto is_literal = [](const Token& token) { return token.kind == Token::Kind::kLiteral; };
  while (prefix_tokens_ < tokens_.size() && is_literal(tokens_[prefix_tokens_])) {
    literal_prefix_.push_back(static_cast<char>(tokens_[prefix_tokens_].byte));
    ++prefix_tokens_;
  }
  is_literal_ = !never_matches_ && prefix_tokens_ == tokens_.size();
  for (const Token& token : tokens_) {
    if (token.kind == Token::Kind::kAnyRun) {
      has_any_run_ = true;
    } else {
      ++min_length_;
    }
  }
  if (!has_any_run_)
    return;
  std::size_t first_suffix_token = tokens_.size();
  while (first_suffix_token > 0 && is_literal(tokens_[first_suffix_token - 1])) {
    --first_suffix_token;
  }
  for (std::size_t i = first_suffix_token; i < tokens_.size(); ++i) {
    literal_suffix_.push_back(static_cast<char>(tokens_[i].byte));
  }
}

void ScopePattern::parse(std::string_view pattern) {
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    char c = pattern[pos];
    if (c == '*') {
      // `**` means the same as `*`; one token keeps matching linear in practice.
      if (tokens_.empty() || tokens_.back().kind != Token::Kind::kAnyRun) {
        tokens_.push_back({Token::Kind::kAnyRun, 0, 0});
      }
      ++pos;
    } else if (c == '?') {
      tokens_.push_back({Token::Kind::kAnyByte, 0, 0});
      ++pos;
    } else if (c == '[') {
      std::size_t after = parse_bracket(pattern, pos);
      if (after != 0) {
        tokens_.push_back(
            {Token::Kind::kByteSet, 0, static_cast<std::uint32_t>(byte_sets_.size() - 1)});
        pos = after;
      } else {
        tokens_.push_back({Token::Kind::kLiteral, '[', 0});
        has_unclosed_bracket_ = true;
        ++pos;
      }
    } else if (c == '\\') {
      if (pos + 1 == pattern.size()) {
        never_matches_ = true;
        return;
      }
      tokens_.push_back({Token::Kind::kLiteral, static_cast<unsigned char>(pattern[pos + 1]), 0});
      pos += 2;
    } else {
      tokens_.push_back({Token::Kind::kLiteral, static_cast<unsigned char>(c), 0});
      ++pos;
    }
  }
}

std::size_t ScopePattern::parse_bracket(std::string_view pattern, std::size_t open) {
  std::size_t pos = open + 1;
  bool negated = false;
  if (pos < pattern.size() && (pattern[pos] == '!' || pattern[pos] == '^')) {
    negated = true;
    ++pos;
  }
  ByteSet set{};
  // glibc matches a byte against the elements in order and fails the byte
  // at the first invalid one, so only the elements before it count.
  bool invalid = false;
  ByteSet after_invalid{};
  bool first = true;
  while (true) {
    if (pos >= pattern.size())
      return 0;
    // A `]` right after the opening (or after `!`) is a member, not the end.
    if (pattern[pos] == ']' && !first)
      break;
    first = false;
    ByteSet& members = invalid ? after_invalid : set;
    BracketElement low = read_bracket_element(pattern, pos, members);
    if (low.kind == BracketElement::Kind::kEnd)
      return 0;
    if (low.kind == BracketElement::Kind::kInvalid)
      invalid = true;
    if (low.kind != BracketElement::Kind::kByte)
      continue;
    bool is_range = pos < pattern.size() && pattern[pos] == '-' &&
                    (pos + 1 >= pattern.size() || pattern[pos + 1] != ']');
    if (!is_range) {
      add_byte(members, low.byte);
      continue;
    }
    ++pos;  // The '-'.
    ByteSet ignored{};
    BracketElement high = read_bracket_element(pattern, pos, ignored);
    if (high.kind == BracketElement::Kind::kEnd) {
      never_matches_ = true;  // glibc fails a range that the pattern's end cuts off
      return 0;
    }
    // glibc ends a range only with a byte or a collating symbol.
    if (high.kind != BracketElement::Kind::kByte) {
      invalid = true;
      continue;
    }
    // In the C locale a range is byte order; a reversed range holds nothing.
    for (unsigned b = low.byte; b <= high.byte; ++b)
      add_byte(members, static_cast<unsigned char>(b));
  }
  if (invalid)
    has_invalid_bracket_ = true;
  // A negated set with an invalid element fails every byte: those before it
  // matched (and so are excluded), the others fail at it.
  if (negated) {
    for (auto& word : set)
      word = invalid ? 0 : ~word;
  }
  byte_sets_.push_back(set);
  return pos + 1;
}

ScopePattern::BracketElement ScopePattern::read_bracket_element(std::string_view pattern,
                                                                std::size_t& pos, ByteSet& set) {
  using Kind = BracketElement::Kind;
  auto at = [&](std::size_t i) { return i < pattern.size() ? pattern[i] : '\0'; };
  if (at(pos) == '[' && at(pos + 1) == ':') {
    // A class name is lower-case letters before `z`, as glibc reads it; any
    // other byte makes the `[` an ordinary member.
    for (std::size_t end = pos + 2; end < pattern.size(); ++end) {
      if (pattern[end] == ':' && at(end + 1) == ']') {
        bool known = add_character_class(set, pattern.substr(pos + 2, end - pos - 2));
        pos = end + 2;
        return {known ? Kind::kSet : Kind::kInvalid, 0};
      }
      if (pattern[end] < 'a' || pattern[end] >= 'z')
        break;
    }
    // glibc reads such a `[` differently once a byte has matched (see has_invalid_bracket_).
    has_invalid_bracket_ = true;
    ++pos;
    return {Kind::kByte, '['};
  }
  if (at(pos) == '[' && at(pos + 1) == '=') {
    // An equivalence class: in the C locale, one byte stands for itself.
    if (pos + 4 < pattern.size() && pattern[pos + 3] == '=' && pattern[pos + 4] == ']') {
      add_byte(set, static_cast<unsigned char>(pattern[pos + 2]));
      pos += 5;
      return {Kind::kSet, 0};
    }
    has_invalid_bracket_ = true;
    ++pos;
    return {Kind::kByte, '['};
  }
  if (at(pos) == '[' && at(pos + 1) == '.') {
    // A collating symbol: its first byte is taken as is, then it runs to the
    // next `.]`. The C locale has one-byte symbols only, so a longer one is
    // invalid; one that never closes makes glibc fail the whole match.
    std::size_t close =
        pos + 3 <= pattern.size() ? pattern.find(".]", pos + 3) : std::string_view::npos;
    if (close == std::string_view::npos) {
      never_matches_ = true;
      return {Kind::kEnd, 0};
    }
    unsigned char byte = static_cast<unsigned char>(pattern[pos + 2]);
    bool one_byte = close == pos + 3;
    pos = close + 2;
    if (!one_byte)
      return {Kind::kInvalid, 0};
    return {Kind::kByte, byte};
  }
  if (at(pos) == '\\')
    ++pos;
  if (pos >= pattern.size())
    return {Kind::kEnd, 0};
  return {Kind::kByte, static_cast<unsigned char>(pattern[pos++])};
}

bool ScopePattern::token_matches_byte(const Token& token, unsigned char byte) const noexcept {
  switch (token.kind) {
    case Token::Kind::kLiteral:
      return token.byte == byte;
    case Token::Kind::kAnyByte:
      return true;
    case Token::Kind::kByteSet:
      return has_byte(byte_sets_[token.set], byte);
    case Token::Kind::kAnyRun:
      return false;
  }
  return false;
}

bool ScopePattern::matches(std::string_view scope) const noexcept {
  if (scope.substr(0, literal_prefix_.size()) != literal_prefix_)
    return false;
  return matches_after_prefix(scope, literal_prefix_.size());
}

bool ScopePattern::can_match_length_and_suffix(std::string_view scope) const noexcept {
  if (!has_any_run_)
    return scope.size() == min_length_;
  return scope.size() >= min_length_ && scope.ends_with(literal_suffix_);
}

bool ScopePattern::matches_after_prefix(std::string_view scope, std::size_t offset) const noexcept {
  if (never_matches_ || !can_match_length_and_suffix(scope))
    return false;
  // Greedy match that, on a mismatch, lets the last `*` swallow one more byte.
  // With single-byte tokens this is exact, and it needs no memory.
  constexpr std::size_t kNoStar = static_cast<std::size_t>(-1);
  std::size_t token = prefix_tokens_;
  std::size_t pos = offset;
  std::size_t star_token = kNoStar;
  std::size_t star_pos = 0;
  while (pos < scope.size()) {
    if (token < tokens_.size() && tokens_[token].kind == Token::Kind::kAnyRun) {
      star_token = ++token;
      star_pos = pos;
    } else if (token < tokens_.size() &&
               token_matches_byte(tokens_[token], static_cast<unsigned char>(scope[pos]))) {
      ++token;
      ++pos;
    } else if (star_token != kNoStar) {
      token = star_token;
      pos = ++star_pos;
    } else {
      return false;
    }
  }
  while (token < tokens_.size() && tokens_[token].kind == Token::Kind::kAnyRun)
    ++token;
  return token == tokens_.size();
}

ScopeSet::ScopeSet(std::span<const std::string> held) {
  std::vector<LiteralScopeTable::Entry> literals;
  for (std::uint32_t position = 0; position < held.size(); ++position) {
    const std::string& text = held[position];
    ScopePattern pattern(text);
    if (pattern.is_literal()) {
      literals.push_back({pattern.literal_prefix(), position});
    } else if (!text.empty() && text.find_first_not_of('*') == std::string::npos) {
      if (allows_everything_ == kNoMatch)
        allows_everything_ = position;
    } else {
      patterns_.push_back(std::move(pattern));
      pattern_positions_.push_back(position);
    }
  }
  exact_ = LiteralScopeTable(literals);
  for (std::uint32_t i = 0; i < patterns_.size(); ++i) {
    const ScopePattern& pattern = patterns_[i];
    // A pattern opening with a wildcard is indexed by how it ends instead.
    if (pattern.literal_prefix().empty() && !pattern.literal_suffix().empty()) {
      add_to_bucket(by_suffix_, pattern.literal_suffix(), i);
    } else {
      add_to_bucket(by_prefix_, pattern.literal_prefix(), i);
    }
  }
}

void ScopeSet::add_to_bucket(std::vector<AffixBucket>& buckets, const std::string& affix,
                             std::uint32_t pattern) {
  auto bucket = std::find_if(buckets.begin(), buckets.end(),
                             [&](const AffixBucket& b) { return b.affix_length == affix.size(); });
  if (bucket == buckets.end()) {
    buckets.push_back({affix.size(), {}});
    bucket = std::prev(buckets.end());
  }
  bucket->patterns[affix].push_back(pattern);
  std::sort(buckets.begin(), buckets.end(), [](const AffixBucket& a, const AffixBucket& b) {
    return a.affix_length < b.affix_length;
  });
}

std::uint32_t ScopeSet::match(std::string_view required) const noexcept {
  if (allows_everything_ != kNoMatch)
    return allows_everything_;
  if (std::uint32_t literal = exact_.find(required); literal != kNoMatch)
    return literal;
  for (const AffixBucket& bucket : by_prefix_) {
    if (bucket.affix_length > required.size())
      break;
    auto candidates = bucket.patterns.find(required.substr(0, bucket.affix_length));
    if (candidates == bucket.patterns.end())
      continue;
    for (std::uint32_t index : candidates->second) {
      if (patterns_[index].matches_after_prefix(required, bucket.affix_length))
        return pattern_positions_[index];
    }
  }
  for (const AffixBucket& bucket : by_suffix_) {
    if (bucket.affix_length > required.size())
      break;
    auto candidates = bucket.patterns.find(required.substr(required.size() - bucket.affix_length));
    if (candidates == bucket.patterns.end())
      continue;
    for (std::uint32_t index : candidates->second) {
      if (patterns_[index].matches_after_prefix(required, 0))
        return pattern_positions_[index];
    }
  }
  return kNoMatch;
}

}  // namespace agentsudo
