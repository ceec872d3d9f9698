// src/rl/failure_text.cpp
#include "rl/failure_text.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <new>
#include <utility>
#include <vector>

#include "common/string_util.h"
#include "config/key_path.h"

namespace orch::rl {

std::string LargestSizes(const config::Node& config) {
  std::vector<std::pair<double, std::string>> sizes;
  std::function<void(const config::Node&, const std::string&)> visit = [&](const config::Node& node,
                                                                           const std::string& key) {
    if (node.IsMap()) {
      for (const auto& entry : node.Entries()) {
        visit(entry.value, config::JoinKey(key, entry.key));
      }
    } else if (node.IsNumber() && node.AsDouble() >= 1000) {
      sizes.emplace_back(node.AsDouble(), key + "=" + node.Describe());
    }
  };
  visit(config, "");
  std::stable_sort(sizes.begin(), sizes.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> texts;
  for (size_t i = 0; i < sizes.size() && i < 3; ++i) texts.push_back(sizes[i].second);
  return Join(texts, ", ");
}

std::string DescribeFailure(const std::exception& error, const config::Node* config) {
  std::string text = error.what();
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&error)) {
    text = torch_error->what_without_backtrace();
  }
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr) {
    text = "out of memory (std::bad_alloc)";
    std::string sizes = config != nullptr ? LargestSizes(*config) : std::string();
    if (!sizes.empty()) text += "; the largest sizes this config asks for: " + sizes;
  }
  constexpr size_t kMaxChars = 2000;
  if (text.size() > kMaxChars) {
    text = fmt::format("{}... ({} more characters in stderr.log)", text.substr(0, kMaxChars),
                       text.size() - kMaxChars);
  }
  return text;
}

}  // namespace orch::rl
