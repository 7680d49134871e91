#include "server/cli/routes_command.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <iostream>

#include "server/api/resources.hpp"

namespace agentsudo::server::cli {

int print_routes(bool json) {
  auto routes = api::Resources::describe();
  if (json) {
    boost::json::array list;
    for (const auto& route : routes) {
      list.push_back(
          boost::json::object{{"method", std::string(boost::beast::http::to_string(route.method))},
                              {"path", route.pattern},
                              {"body_limit", route.body_limit},
                              {"access", std::string(api::to_string(route.access))}});
    }
    std::cout << boost::json::serialize(list) << "\n";
    return 0;
  }
  for (const auto& route : routes) {
    std::printf(
        "%-7s %-56s %-8s %zu\n", std::string(boost::beast::http::to_string(route.method)).c_str(),
        route.pattern.c_str(), std::string(api::to_string(route.access)).c_str(), route.body_limit);
  }
  return 0;
}

}  // namespace agentsudo::server::cli
