// src/config/key_path.cpp
#include "config/key_path.h"

#include <fmt/format.h>

#include <cctype>

#include "common/string_util.h"

namespace orch::config {

std::string JoinKey(std::string_view parent, std::string_view child) {
  if (parent.empty()) return std::string(child);
  return fmt::format("{}.{}", parent, child);
}

std::string IndexKey(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::vector<std::string> SplitDottedKey(std::string_view dotted) {
  if (dotted.empty()) return {};
  return Split(dotted, '.');
}

bool IsIndexSegment(std::string_view segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

namespace {

template <typename NodeT>
NodeT* Step(NodeT* node, const std::string& segment) {
  if (node->IsMap()) {
    if constexpr (std::is_const_v<NodeT>) {
      return node->Find(segment);
    } else {
      return node->FindMutable(segment);
    }
  }
  if (node->IsList() && IsIndexSegment(segment)) {
    size_t index = std::stoul(segment);
    if constexpr (std::is_const_v<NodeT>) {
      const auto& items = node->AsList();
      return index < items.size() ? &items[index] : nullptr;
    } else {
      auto& items = node->MutableList();
      return index < items.size() ? &items[index] : nullptr;
    }
  }
  return nullptr;
}

}  // namespace

const Node* FindPath(const Node& root, std::string_view dotted) {
  const Node* node = &root;
  for (const auto& segment : SplitDottedKey(dotted)) {
    node = Step(node, segment);
    if (node == nullptr) return nullptr;
  }
  return node;
}

Node* FindPathMutable(Node& root, std::string_view dotted) {
  Node* node = &root;
  for (const auto& segment : SplitDottedKey(dotted)) {
    node = Step(node, segment);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::string DisplayKey(const Node& root, std::string_view dotted) {
  std::string out;
  const Node* node = &root;
  for (const auto& segment : SplitDottedKey(dotted)) {
    if (node != nullptr && node->IsList() && IsIndexSegment(segment)) {
      out += "[" + segment + "]";
    } else {
      out = JoinKey(out, segment);
    }
    node = node != nullptr ? Step(node, segment) : nullptr;
  }
  return out;
}

}  // namespace orch::config
