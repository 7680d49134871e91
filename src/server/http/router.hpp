#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.hpp"

namespace agentsudo::server::http {

// The values of a pattern's `{name}` segments, in order.
using PathParams = std::vector<std::string>;

// Maps (method, path) to routes of type `Route`. Patterns are literal
// segments and `{name}` placeholders: "/api/v1/projects/{id}/events".
// Built once at start-up, then read-only and thread-safe.
template <class Route>
class Router {
 public:
  struct Match {
    const Route* route = nullptr;  // null when nothing matched
    PathParams params;
    std::string allowed_methods;  // set when the path exists with other methods
  };

  void add(Verb method, std::string pattern, Route route) {
    entries_.push_back(Entry{method, split(pattern), std::move(route)});
  }

  Match find(Verb method, std::string_view path) const {
    Match match;
    auto segments = split(path);
    for (const auto& entry : entries_) {
      PathParams params;
      if (!matches(entry.segments, segments, params))
        continue;
      if (entry.method == method) {
        match.route = &entry.route;
        match.params = std::move(params);
        return match;
      }
      if (!match.allowed_methods.empty())
        match.allowed_methods += ", ";
      match.allowed_methods += std::string(beast_http::to_string(entry.method));
    }
    return match;
  }

 private:
  struct Entry {
    Verb method;
    std::vector<std::string> segments;
    Route route;
  };

  static std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = path.empty() || path[0] != '/' ? 0 : 1;
    while (start <= path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string_view::npos)
        end = path.size();
      segments.emplace_back(path.substr(start, end - start));
      start = end + 1;
    }
    return segments;
  }

  static bool matches(const std::vector<std::string>& pattern,
                      const std::vector<std::string>& segments, PathParams& params) {
    if (pattern.size() != segments.size())
      return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i].size() > 1 && pattern[i].front() == '{') {
        if (segments[i].empty())
          return false;
        params.push_back(segments[i]);
      } else if (pattern[i] != segments[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Entry> entries_;
};

}  // namespace agentsudo::server::http
