// src/config/override_apply.cpp
#include "config/override_apply.h"

#include <fmt/format.h>

#include "common/string_util.h"
#include "config/hydra_settings.h"
#include "config/key_path.h"
#include "config/validate.h"

namespace orch::config {
namespace {

/// The parent container of the last segment, and what went wrong if there is none.
struct Location {
  Node* parent = nullptr;
  std::string last;        // the last segment
  std::string missing_at;  // the dotted prefix that does not exist, when parent is null
  std::string blocked_by;  // the dotted prefix that is a scalar, when parent is null
};

Location Locate(Node& root, const std::vector<std::string>& segments, bool create_parents,
                const Origin& origin) {
  Location location;
  location.last = segments.back();
  Node* node = &root;
  std::string prefix;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const std::string& segment = segments[i];
    prefix = JoinKey(prefix, segment);
    Node* next = nullptr;
    if (node->IsMap()) {
      next = node->FindMutable(segment);
      if (next == nullptr && create_parents)
        next = &node->Set(segment, Node::MakeMap(origin), origin);
      if (next != nullptr && next->IsNull() && create_parents) *next = Node::MakeMap(origin);
    } else if (node->IsList() && IsIndexSegment(segment)) {
      size_t index = std::stoul(segment);
      if (index < node->AsList().size()) next = &node->MutableList()[index];
    }
    if (next == nullptr) {
      location.missing_at = prefix;
      return location;
    }
    if (!next->IsContainer()) {
      location.blocked_by = prefix;
      return location;
    }
    node = next;
  }
  location.parent = node;
  return location;
}

Node* ChildOf(Node& parent, const std::string& segment) {
  if (parent.IsMap()) return parent.FindMutable(segment);
  if (parent.IsList() && IsIndexSegment(segment)) {
    size_t index = std::stoul(segment);
    if (index < parent.AsList().size()) return &parent.MutableList()[index];
  }
  return nullptr;
}

Node PrepareValue(const Node& value) {
  if (value.IsString() && value.AsString() == "???") return Node::Missing(value.origin());
  return value;
}

bool SameValue(const Node& a, const Node& b) {
  if (a.IsNumber() && b.IsNumber()) return a.AsDouble() == b.AsDouble();
  return a.Equals(b);
}

}  // namespace

void ApplyValueOverride(Node& root, const Override& ov, Diagnostics& diagnostics) {
  const Origin origin = ov.MakeOrigin();
  auto fail = [&](const std::string& key, const std::string& message,
                  const std::string& suggestion) {
    diagnostics.Error(origin, key, message, suggestion, "override");
  };

  if (ov.IsSweep()) {
    fail(ov.key, "a sweep cannot be composed into one config",
         "List the jobs with 'orch plan', or run them with 'orch sweep'");
    return;
  }
  if (ov.package) {
    fail(ov.key,
         fmt::format("'@{}' only applies to config groups, and '{}' is not one", *ov.package,
                     ov.key),
         "Drop the @package part to set a value");
    return;
  }
  std::vector<std::string> segments = SplitDottedKey(ov.key);
  const bool create_parents = ov.IsAdd() || ov.IsForceAdd();
  Location location = Locate(root, segments, create_parents, origin);
  const std::string display_key = DisplayKey(root, ov.key);

  // Hydra's runtime settings are no keys of orch's tree: say what orch uses instead
  if (location.parent == nullptr && (ov.key == "hydra" || StartsWith(ov.key, "hydra.")) &&
      !StartsWith(ov.key, "hydra.sweeper.params")) {
    fail(display_key, "orch does not read Hydra's runtime settings",
         fmt::format("Instead: {}", InsteadOf(ov.key)));
    return;
  }
  if (location.parent == nullptr) {
    if (!location.blocked_by.empty()) {
      const Node* blocker = FindPath(root, location.blocked_by);
      fail(display_key,
           fmt::format("cannot set '{}' below '{}', which holds {}, not a dict",
                       ov.key.substr(location.blocked_by.size() + 1),
                       DisplayKey(root, location.blocked_by),
                       blocker ? DescribeFound(*blocker) : "a value"),
           {});
      return;
    }
    // name the first missing segment and offer its siblings
    std::string parent_prefix = location.missing_at.rfind('.') == std::string::npos
                                    ? ""
                                    : location.missing_at.substr(0, location.missing_at.rfind('.'));
    const Node* parent = parent_prefix.empty() ? &root : FindPath(root, parent_prefix);
    std::string segment =
        location.missing_at.substr(parent_prefix.empty() ? 0 : parent_prefix.size() + 1);
    std::string suggestion = parent ? DidYouMeanSentence(segment, parent->Keys()) : "";
    if (ov.IsDelete()) {
      fail(display_key, "cannot delete: the key does not exist", suggestion);
    } else {
      if (!suggestion.empty()) suggestion += " ";
      suggestion += fmt::format("To add a new key use +{}", ov.text);
      fail(display_key, fmt::format("no key '{}' to override", location.missing_at), suggestion);
    }
    return;
  }

  Node& parent = *location.parent;
  Node* existing = ChildOf(parent, location.last);
  const std::string& last = location.last;

  if (ov.IsDelete()) {
    if (existing == nullptr) {
      fail(display_key, "cannot delete: the key does not exist",
           parent.IsMap() ? DidYouMeanSentence(last, parent.Keys()) : "");
      return;
    }
    if (ov.value && !SameValue(*existing, *ov.value)) {
      fail(display_key,
           fmt::format("cannot delete: the value is {}, not {}", existing->Describe(),
                       ov.value->Describe()),
           {});
      return;
    }
    if (parent.IsMap()) {
      parent.Erase(last);
    } else {
      auto& items = parent.MutableList();
      items.erase(items.begin() + static_cast<long>(std::stoul(last)));
    }
    return;
  }

  if (!ov.value) {
    fail(display_key, "the override has no value", {});
    return;
  }
  Node value = PrepareValue(*ov.value);

  if (ov.type == OverrideType::kChange && existing == nullptr) {
    std::string suggestion = parent.IsMap() ? DidYouMeanSentence(last, parent.Keys()) : "";
    if (!suggestion.empty()) suggestion += " ";
    suggestion += fmt::format("To add a new key use +{}", ov.text);
    fail(display_key, "no such key to override", suggestion);
    return;
  }
  if (ov.IsAdd() && existing != nullptr && !existing->IsNull() && !existing->IsMissing() &&
      !value.IsContainer()) {
    fail(display_key, "cannot add: the key already has a value",
         fmt::format("Drop the + to change it ({}), or use ++ to add or change it ({}{})",
                     ov.text.substr(1), "+", ov.text));
    return;
  }
  if (existing != nullptr) {
    if (existing->IsMap() && value.IsMap()) {
      MergeInto(*existing, value);
    } else {
      *existing = value;
    }
    return;
  }
  if (parent.IsList()) {
    fail(display_key, "cannot add a list item by index",
         fmt::format("Set the whole list instead: {}=[...]",
                     ov.key.substr(0, ov.key.size() - last.size() - 1)));
    return;
  }
  parent.Set(last, value, origin);
}

}  // namespace orch::config
