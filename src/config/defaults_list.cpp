// src/config/defaults_list.cpp
//
// Restates Hydra 1.3's defaults-list algorithm (hydra/_internal/defaults_list.py): a depth-first
// expansion of every config's defaults list, children processed last-to-first so that an
// `override` written in a later sibling reaches an earlier one, option interpolations deferred
// until every other choice is known, then a walk that emits configs in merge order.
#include "config/defaults_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/error.h"
#include "common/string_util.h"

namespace orch::config {
namespace {

constexpr std::string_view kGlobal = "_global_";

std::string StripSlash(const std::string& path) {
  return StartsWith(path, "/") ? path.substr(1) : path;
}

std::string DotsFromSlashes(std::string text) {
  std::replace(text.begin(), text.end(), '/', '.');
  return text;
}

/// Drops everything up to and including the last `_global_` (which makes a package absolute).
std::string StripGlobal(const std::string& package) {
  size_t at = package.rfind(kGlobal);
  if (at == std::string::npos) return package;
  size_t rest = at + kGlobal.size() + 1;
  return rest <= package.size() ? package.substr(rest) : std::string();
}

/// A defaults entry placed in the tree: the entry plus what it inherits from its parent.
struct InputDefault {
  DefaultsEntry entry;
  bool primary = false;
  std::string parent_base_dir;                // group path of the including config
  std::string parent_package;                 // final package of the including config
  std::string parent_display;                 // the including config's file, for messages
  std::optional<std::string> package_header;  // absolute form: `_global_` or `_global_.a.b`
  Origin choice_origin;                       // where the option was chosen
  bool deleted = false;
  bool deferred = false;  // an option written as an interpolation, resolved after the others
};

bool IsGroup(const InputDefault& d) { return d.entry.kind == DefaultsEntry::Kind::kGroup; }
bool IsSelf(const InputDefault& d) { return d.entry.kind == DefaultsEntry::Kind::kSelf; }

std::string GroupPath(const InputDefault& d) {
  const DefaultsEntry& e = d.entry;
  bool absolute = StartsWith(e.path, "/");
  if (IsGroup(d)) {
    std::string group = StripSlash(e.path);
    if (d.parent_base_dir.empty() || absolute || e.external_append) return group;
    return d.parent_base_dir + "/" + group;
  }
  std::string path = StripSlash(e.path);
  size_t slash = path.rfind('/');
  std::string group = slash == std::string::npos ? "" : path.substr(0, slash);
  if (absolute || d.parent_base_dir.empty()) return group;
  if (group.empty()) return d.parent_base_dir;
  return d.parent_base_dir + "/" + group;
}

std::optional<std::string> Name(const InputDefault& d) {
  if (IsGroup(d)) return d.entry.option;
  std::string path = StripSlash(d.entry.path);
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string ConfigPath(const InputDefault& d) {
  if (IsGroup(d)) return GroupPath(d) + "/" + d.entry.option.value_or("");
  bool absolute = StartsWith(d.entry.path, "/");
  std::string path = StripSlash(d.entry.path);
  if (absolute || d.parent_base_dir.empty()) return path;
  return d.parent_base_dir + "/" + path;
}

std::string RelativeGroupPath(const InputDefault& d) {
  std::string path = StripSlash(d.entry.path);
  if (IsGroup(d)) return path;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string DefaultPackage(const InputDefault& d) { return DotsFromSlashes(GroupPath(d)); }

std::optional<std::string> Package(const InputDefault& d, bool use_header) {
  if (d.entry.package) return *d.entry.package == "_here_" ? "" : *d.entry.package;
  if (use_header) return d.package_header;
  return std::nullopt;
}

std::string FinalPackage(const InputDefault& d, bool use_header = true) {
  // orch: a primary config given as a file sits at the root unless its header moves it
  if (d.primary) {
    if (use_header && d.package_header) return StripGlobal(*d.package_header);
    return "";
  }
  std::string parent = (IsGroup(d) && d.entry.external_append) ? "" : d.parent_package;
  std::string package = Package(d, use_header).value_or(DotsFromSlashes(RelativeGroupPath(d)));
  std::string joined;
  if (parent.empty()) {
    joined = package;
  } else if (package.empty()) {
    joined = parent;
  } else {
    joined = parent + "." + package;
  }
  return StripGlobal(joined);
}

std::string OverrideKey(const InputDefault& d) {
  std::string key = GroupPath(d);
  std::string final_package = FinalPackage(d, /*use_header=*/false);
  if (final_package != DefaultPackage(d)) {
    key += "@" + (final_package.empty() ? std::string(kGlobal) : final_package);
  }
  return key;
}

void SetParent(InputDefault& d, const InputDefault& parent, const std::string& parent_display) {
  d.parent_base_dir = GroupPath(parent);
  d.parent_package = FinalPackage(parent);
  d.parent_display = parent_display;
}

std::string DescribeEntry(const InputDefault& d) {
  if (IsGroup(d)) return fmt::format("{}: {}", d.entry.path, d.entry.option.value_or("null"));
  return d.entry.path;
}

/// The option text of a group override (`env=walker`, `db=[a,b]`).
struct OverrideChoice {
  std::optional<std::string> option;
  std::vector<std::string> options;
  bool is_list = false;
  Origin origin;
  bool external = false;
  std::string text;  // as written, for messages
  bool used = false;
};

struct Deletion {
  std::optional<std::string> option;
  Origin origin;
  std::string text;
  bool used = false;
};

std::string ScalarOptionText(const Node& value) {
  if (value.IsString()) return value.AsString();
  if (value.IsInt()) return std::to_string(value.AsInt());
  return {};
}

class DefaultsExpander {
 public:
  DefaultsExpander(ConfigRepository& repository, const std::vector<Override>& overrides,
                   DefaultsListResult& result)
      : repository_(repository), result_(result) {
    ClassifyOverrides(overrides);
  }

  struct TreeNode {
    InputDefault value;
    std::optional<std::vector<TreeNode>> children;  // nullopt: a leaf, merged as a whole
  };

  void Run(const std::string& primary_config_path) {
    TreeNode root;
    root.value.entry.kind = DefaultsEntry::Kind::kConfig;
    root.value.entry.path = primary_config_path;
    root.value.primary = true;
    root.value.choice_origin = Origin::File(repository_.DisplayPath(primary_config_path), 0, 0);
    if (!repository_.ConfigExists(primary_config_path)) {
      throw ConfigError(Origin::File(repository_.DisplayPath(primary_config_path), 0, 0), "",
                        "cannot find the primary config", {}, "compose");
    }
    Expand(root, /*is_root=*/true, /*interpolated=*/false);
    Flatten(root, nullptr);
    EnsureNoDuplicates();
    EnsureOverridesUsed();
    EnsureDeletionsUsed();
  }

 private:
  // --- command-line overrides that steer the defaults list
  void ClassifyOverrides(const std::vector<Override>& overrides) {
    for (const Override& ov : overrides) {
      if (!IsGroupOverride(repository_, ov)) {
        if (ov.HasGroupPath()) UnknownGroupError(ov);
        result_.value_overrides.push_back(&ov);
        continue;
      }
      if (ov.IsSweep()) {
        throw ConfigError(ov.MakeOrigin(), ov.key, "a sweep cannot be composed into one config",
                          "List the jobs with 'orch plan', or run them with 'orch sweep'",
                          "compose");
      }
      if (ov.IsForceAdd()) {
        throw ConfigError(ov.MakeOrigin(), ov.key, "++ cannot force-add a config group",
                          fmt::format("Use +{0}=... to append it, or {0}=... to change it", ov.key),
                          "compose");
      }
      std::string key = ov.key;
      if (ov.package) key += "@" + (ov.package->empty() ? std::string(kGlobal) : *ov.package);
      if (ov.IsDelete()) {
        Deletion deletion;
        deletion.origin = ov.MakeOrigin();
        deletion.text = ov.text;
        if (ov.value) {
          std::string name = ScalarOptionText(*ov.value);
          if (name.empty()) BadGroupValue(ov);
          deletion.option = name;
        }
        deletions_[key] = deletion;
        continue;
      }
      OverrideChoice choice = ChoiceFromOverride(ov);
      if (ov.IsAdd()) {
        InputDefault append;
        append.entry.kind = DefaultsEntry::Kind::kGroup;
        append.entry.path = ov.key;
        append.entry.package = ov.package;
        append.entry.option = choice.option;
        append.entry.options = choice.options;
        append.entry.is_option_list = choice.is_list;
        append.entry.external_append = true;
        append.entry.origin = ov.MakeOrigin();
        append.choice_origin = ov.MakeOrigin();
        appends_.push_back(append);
        continue;
      }
      choices_[key] = choice;
    }
  }

  OverrideChoice ChoiceFromOverride(const Override& ov) {
    OverrideChoice choice;
    choice.origin = ov.MakeOrigin();
    choice.external = true;
    choice.text = ov.text;
    if (!ov.value) BadGroupValue(ov);
    if (ov.value->IsList()) {
      choice.is_list = true;
      for (const Node& item : ov.value->AsList()) {
        std::string name = ScalarOptionText(item);
        if (name.empty()) BadGroupValue(ov);
        choice.options.push_back(name);
      }
      return choice;
    }
    if (ov.value->IsNull()) return choice;  // `group=null` deselects
    std::string name = ScalarOptionText(*ov.value);
    if (name.empty()) BadGroupValue(ov);
    choice.option = name;
    return choice;
  }

  [[noreturn]] void BadGroupValue(const Override& ov) {
    throw ConfigError(
        ov.MakeOrigin(), ov.key,
        fmt::format("'{}' is a config group: its value must be an option name or a "
                    "list of option names",
                    ov.key),
        fmt::format("Options of '{}': {}", ov.key, Join(repository_.GroupOptions(ov.key), ", ")),
        "compose");
  }

  [[noreturn]] void UnknownGroupError(const Override& ov) {
    throw ConfigError(
        ov.MakeOrigin(), ov.key,
        fmt::format("no config group '{}' under {}", ov.key, repository_.root().generic_string()),
        DidYouMeanSentence(ov.key, repository_.AllGroups()), "compose");
  }

  // --- tree expansion
  void Expand(TreeNode& tree, bool is_root, bool interpolated) {
    InputDefault& parent = tree.value;
    LoadPackageHeader(parent);

    if (IsDeleted(parent)) {
      MarkDeleted(parent);
      return;
    }
    SetKnownChoice(parent);
    if (!Name(parent)) return;  // `group: null` placeholder
    CheckNotMissing(parent);

    const std::string config_path = ConfigPath(parent);
    const LoadedConfig* loaded = repository_.Load(config_path);
    if (loaded == nullptr) {
      if (parent.entry.optional) {
        parent.deleted = true;
        return;
      }
      ConfigNotFound(parent);
    }
    const std::string display = repository_.DisplayPath(config_path);
    std::vector<DefaultsEntry> entries;
    if (loaded->defaults) entries = ParseDefaultsList(*loaded->defaults);

    bool has_list = !entries.empty() || (is_root && !appends_.empty());
    if (has_list) AddSelfIfAbsent(entries, display);

    std::vector<InputDefault> inputs;
    for (const auto& entry : entries) {
      InputDefault input;
      input.entry = entry;
      input.choice_origin = entry.origin;
      inputs.push_back(input);
    }
    if (is_root) inputs.insert(inputs.end(), appends_.begin(), appends_.end());
    RegisterListOverrides(inputs, parent, display, interpolated);

    std::vector<TreeNode> children;
    for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) {
      InputDefault d = *it;
      if (IsSelf(d)) {
        children.push_back(TreeNode{d, std::nullopt});
        continue;
      }
      if (d.entry.is_override) continue;
      SetParent(d, parent, display);
      if (IsOverridden(d)) ApplyOverride(d);

      if (IsGroup(d) && d.entry.is_option_list) {
        // `group: [a, b]` is one config per option, in order
        for (auto option = d.entry.options.rbegin(); option != d.entry.options.rend(); ++option) {
          InputDefault item;
          item.entry.kind = DefaultsEntry::Kind::kConfig;
          item.entry.path = d.entry.path + "/" + *option;
          item.entry.package = d.entry.package;
          item.entry.optional = d.entry.optional;
          item.entry.origin = d.entry.origin;
          item.choice_origin = d.choice_origin;
          SetParent(item, parent, display);
          TreeNode child{item, std::nullopt};
          Expand(child, false, interpolated);
          children.push_back(std::move(child));
        }
        continue;
      }
      if (IsGroup(d) && d.entry.option && d.entry.option->find("${") != std::string::npos) {
        d.deferred = true;
        children.push_back(TreeNode{d, std::nullopt});
        continue;
      }
      TreeNode child{d, std::nullopt};
      Expand(child, false, interpolated);
      children.push_back(std::move(child));
    }

    // options written as interpolations of other choices (`${env}_${agent}`) come last
    for (TreeNode& child : children) {
      if (!child.value.deferred) continue;
      child.value.entry.option = ResolveOptionInterpolation(child.value);
      child.value.deferred = false;
      Expand(child, false, /*interpolated=*/true);
    }

    std::reverse(children.begin(), children.end());
    if (!children.empty()) tree.children = std::move(children);
  }

  void LoadPackageHeader(InputDefault& d) {
    if (d.package_header || !Name(d)) return;
    if (IsGroup(d) && (d.entry.option_missing || d.entry.option == "???")) return;
    if (IsGroup(d) && d.entry.option && d.entry.option->find("${") != std::string::npos) return;
    const LoadedConfig* loaded = repository_.Load(ConfigPath(d));
    if (loaded == nullptr || !loaded->package_header) return;
    std::string header = *loaded->package_header;
    if (header == "_group_") return;  // the legacy spelling of the default
    if (header.find("_group_") != std::string::npos || header.find("_name_") != std::string::npos) {
      throw ConfigError(Origin::File(loaded->display_path, 1, 1), "",
                        fmt::format("the package header '# @package {}' uses a keyword Hydra "
                                    "1.2 removed",
                                    header),
                        "Write the package path literally", "compose");
    }
    if (header.empty()) header = std::string(kGlobal);
    if (header != kGlobal && !StartsWith(header, "_global_.")) header = "_global_." + header;
    d.package_header = header;
  }

  void AddSelfIfAbsent(std::vector<DefaultsEntry>& entries, const std::string& display) {
    const DefaultsEntry* first_self = nullptr;
    for (const auto& entry : entries) {
      if (entry.kind != DefaultsEntry::Kind::kSelf) continue;
      if (first_self != nullptr) {
        throw ConfigError(
            entry.origin, "", "_self_ appears twice in the defaults list",
            fmt::format("Keep one _self_ (the first is at {})", first_self->origin.ToString()),
            "compose");
      }
      first_self = &entry;
    }
    if (first_self == nullptr) {
      // Hydra 1.1+: without _self_, a config's own content merges after its defaults
      DefaultsEntry self;
      self.kind = DefaultsEntry::Kind::kSelf;
      self.origin = Origin::File(display, 0, 0);
      entries.push_back(self);
    }
  }

  void RegisterListOverrides(std::vector<InputDefault>& inputs, const InputDefault& parent,
                             const std::string& display, bool interpolated) {
    const InputDefault* last_override = nullptr;
    for (InputDefault& d : inputs) {
      if (IsSelf(d)) continue;
      SetParent(d, parent, display);
      if (last_override != nullptr && !d.entry.is_override && !d.entry.external_append) {
        throw ConfigError(
            last_override->entry.origin, "",
            fmt::format("'override {}' comes before '{}': overrides must be at the end of the "
                        "defaults list",
                        DescribeEntry(*last_override), DescribeEntry(d)),
            fmt::format("Move 'override {}' below '{}'", DescribeEntry(*last_override),
                        DescribeEntry(d)),
            "compose");
      }
      if (!d.entry.is_override) continue;
      last_override = &d;
      if (interpolated) {
        throw ConfigError(d.entry.origin, "",
                          fmt::format("'override {}' is not allowed in a config chosen by an "
                                      "interpolated option",
                                      DescribeEntry(d)),
                          {}, "compose");
      }
      std::string key = OverrideKey(d);
      if (choices_.count(key) > 0) continue;  // the command line wins
      OverrideChoice choice;
      choice.option = d.entry.option;
      choice.options = d.entry.options;
      choice.is_list = d.entry.is_option_list;
      choice.origin = d.entry.origin;
      choice.external = false;
      choice.text = fmt::format("override {}", DescribeEntry(d));
      choices_[key] = choice;
    }
  }

  bool IsOverridden(const InputDefault& d) const {
    return IsGroup(d) && choices_.count(OverrideKey(d)) > 0;
  }

  void ApplyOverride(InputDefault& d) {
    OverrideChoice& choice = choices_.at(OverrideKey(d));
    // quirk Q7: a defaults-list override must not silently replace a command-line append
    if (d.entry.external_append && !choice.external) {
      throw ConfigError(
          choice.origin, OverrideKey(d),
          fmt::format("'{}' in the defaults list would replace the option that {} appends",
                      choice.text, d.entry.origin.ToString()),
          fmt::format("Change the option with {}={} instead of appending it, or remove the "
                      "defaults-list override",
                      OverrideKey(d), d.entry.option.value_or("...")),
          "compose");
    }
    d.entry.option = choice.option;
    d.entry.options = choice.options;
    d.entry.is_option_list = choice.is_list;
    d.entry.option_missing = false;
    d.choice_origin = choice.origin;
    choice.used = true;
  }

  bool IsDeleted(const InputDefault& d) const {
    if (!IsGroup(d)) return false;
    auto it = deletions_.find(OverrideKey(d));
    if (it == deletions_.end()) return false;
    return !it->second.option || it->second.option == Name(d);
  }

  void MarkDeleted(InputDefault& d) {
    d.deleted = true;
    deletions_.at(OverrideKey(d)).used = true;
  }

  void SetKnownChoice(const InputDefault& d) {
    if (!IsGroup(d)) return;
    std::string key = OverrideKey(d);
    std::string name = d.entry.is_option_list ? "[" + Join(d.entry.options, ", ") + "]"
                                              : d.entry.option.value_or("null");
    auto [it, inserted] = known_choices_.emplace(key, name);
    if (!inserted && it->second != name) {
      throw ConfigError(
          d.choice_origin, key,
          fmt::format("config group '{}' is chosen twice: '{}', then '{}'", key, it->second, name),
          fmt::format("To change the earlier choice write 'override {}: {}'", key, name),
          "compose");
    }
    known_groups_[GroupPath(d)].insert(key);
    result_.choices[key] = name;
  }

  void CheckNotMissing(const InputDefault& d) {
    if (!IsGroup(d) || !(d.entry.option_missing || d.entry.option == "???")) return;
    std::string key = OverrideKey(d);
    throw ConfigError(d.choice_origin, key,
                      fmt::format("no option chosen for config group '{}' (the defaults list "
                                  "says ?\?\?)",
                                  GroupPath(d)),
                      fmt::format("Choose one with {}=<option>. Available: {}", key,
                                  Join(repository_.GroupOptions(GroupPath(d)), ", ")),
                      "compose");
  }

  [[noreturn]] void ConfigNotFound(const InputDefault& d) {
    Diagnostic diagnostic;
    diagnostic.kind = "compose";
    diagnostic.origin = d.choice_origin;
    if (IsGroup(d)) {
      std::string group = GroupPath(d);
      std::vector<std::string> options = repository_.GroupOptions(group);
      diagnostic.key = OverrideKey(d);
      if (repository_.GroupExists(group)) {
        diagnostic.message =
            fmt::format("no option '{}' in config group '{}'", d.entry.option.value_or(""), group);
        std::string did_you_mean = DidYouMeanSentence(d.entry.option.value_or(""), options);
        diagnostic.suggestion =
            (did_you_mean.empty() ? "" : did_you_mean + " ") + "Available: " + Join(options, ", ");
        diagnostic.candidates = ClosestMatches(d.entry.option.value_or(""), options);
      } else {
        diagnostic.message = fmt::format("no config group '{}' under {}", group,
                                         repository_.root().generic_string());
        diagnostic.suggestion = DidYouMeanSentence(group, repository_.AllGroups());
      }
    } else {
      diagnostic.message = fmt::format("cannot find config '{}' (no file {})", d.entry.path,
                                       repository_.DisplayPath(ConfigPath(d)));
    }
    if (!d.parent_display.empty()) {
      diagnostic.context.push_back("while composing the defaults list of " + d.parent_display);
    }
    Diagnostics diagnostics;
    diagnostics.Add(diagnostic);
    throw ConfigError(diagnostics);
  }

  std::string ResolveOptionInterpolation(const InputDefault& d) {
    const std::string& text = *d.entry.option;
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t open = text.find("${", pos);
      if (open == std::string::npos) {
        out += text.substr(pos);
        break;
      }
      size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      out += text.substr(pos, open - pos);
      std::string key(Trim(std::string_view(text).substr(open + 2, close - open - 2)));
      auto it = known_choices_.find(key);
      if (it == known_choices_.end()) {
        std::vector<std::string> known;
        for (const auto& [name, option] : known_choices_) known.push_back(name);
        throw ConfigError(
            d.choice_origin, OverrideKey(d),
            fmt::format("cannot resolve '{}' in the defaults list: no config group "
                        "'{}' was chosen before",
                        text, key),
            known.empty() ? std::string() : "Choices that can be used: " + Join(known, ", "),
            "compose");
      }
      out += it->second;
      pos = close + 1;
    }
    return out;
  }

  // --- flattening into merge order
  void Flatten(const TreeNode& tree, const TreeNode* parent_tree) {
    if (!tree.children) {
      Emit(parent_tree, tree.value);
      return;
    }
    for (const TreeNode& child : *tree.children) {
      if (IsSelf(child.value)) {
        ResultDefault result;
        result.config_path = ConfigPath(tree.value);
        result.package = FinalPackage(tree.value);
        result.is_self = true;
        result.primary = tree.value.primary;
        result.parent = parent_tree != nullptr ? ConfigPath(parent_tree->value) : "";
        result.origin = tree.value.choice_origin;
        if (IsGroup(tree.value)) result.override_key = OverrideKey(tree.value);
        result_.defaults.push_back(result);
      } else {
        Flatten(child, &tree);
      }
    }
  }

  void Emit(const TreeNode* parent_tree, const InputDefault& d) {
    if (d.deleted || !Name(d)) return;
    ResultDefault result;
    result.config_path = ConfigPath(d);
    result.package = FinalPackage(d);
    result.primary = d.primary;
    result.parent = parent_tree != nullptr ? ConfigPath(parent_tree->value) : "";
    result.origin = d.choice_origin;
    if (IsGroup(d)) result.override_key = OverrideKey(d);
    result_.defaults.push_back(result);
  }

  // --- final checks
  void EnsureNoDuplicates() {
    std::set<std::string> keys;
    for (const auto& result : result_.defaults) {
      if (result.is_self || result.override_key.empty()) continue;
      if (!keys.insert(result.override_key).second) {
        throw ConfigError(result.origin, result.override_key,
                          fmt::format("config group '{}' appears more than once in the final "
                                      "defaults list",
                                      result.override_key),
                          "Use @package to place a second copy elsewhere", "compose");
      }
    }
  }

  void EnsureOverridesUsed() {
    Diagnostics diagnostics;
    for (const auto& [key, choice] : choices_) {
      if (choice.used) continue;
      std::string group = key.substr(0, key.find('@'));
      std::vector<std::string> others;
      if (auto it = known_groups_.find(group); it != known_groups_.end()) {
        others.assign(it->second.begin(), it->second.end());
      }
      std::string message =
          choice.external ? fmt::format("the defaults list has no entry for config group '{}'", key)
                          : fmt::format("'{}' matches no entry of the defaults list", choice.text);
      std::string suggestion;
      if (!others.empty()) {
        suggestion = fmt::format("Did you mean to override {}? ", Join(others, ", "));
      }
      if (choice.external) {
        std::string value =
            choice.is_list ? "[" + Join(choice.options, ",") + "]" : choice.option.value_or("null");
        suggestion += fmt::format("To append it to the defaults list use +{}={}", key, value);
      }
      diagnostics.Error(choice.origin, key, message, suggestion, "compose");
    }
    if (diagnostics.HasErrors()) throw ConfigError(diagnostics);
  }

  void EnsureDeletionsUsed() {
    Diagnostics diagnostics;
    for (const auto& [key, deletion] : deletions_) {
      if (deletion.used) continue;
      std::string what = deletion.option ? key + "=" + *deletion.option : key;
      diagnostics.Error(deletion.origin, key,
                        fmt::format("cannot delete '{}': no match in the defaults list", what), {},
                        "compose");
    }
    if (diagnostics.HasErrors()) throw ConfigError(diagnostics);
  }

  ConfigRepository& repository_;
  DefaultsListResult& result_;
  std::map<std::string, OverrideChoice> choices_;
  std::map<std::string, Deletion> deletions_;
  std::vector<InputDefault> appends_;
  std::map<std::string, std::string> known_choices_;
  std::map<std::string, std::set<std::string>> known_groups_;
};

[[noreturn]] void MalformedEntry(const Node& item, const std::string& why) {
  throw ConfigError(item.origin(), "defaults", "malformed defaults list entry: " + why,
                    "Write 'group: option', 'group@package: option', a config name, or _self_",
                    "compose");
}

/// Splits `name@package` (the package may be empty: the global package).
void SplitPackage(const std::string& text, std::string& name, std::optional<std::string>& package) {
  size_t at = text.find('@');
  if (at == std::string::npos) {
    name = text;
    return;
  }
  name = text.substr(0, at);
  std::string pkg = text.substr(at + 1);
  package = pkg.empty() ? std::string(kGlobal) : pkg;
}

}  // namespace

std::vector<DefaultsEntry> ParseDefaultsList(const Node& defaults) {
  std::vector<DefaultsEntry> entries;
  if (defaults.IsNull()) return entries;
  if (!defaults.IsList()) {
    throw ConfigError(
        defaults.origin(), "defaults",
        fmt::format("the defaults list must be a list, found {}", TypeWithArticle(defaults.type())),
        {}, "compose");
  }
  for (const Node& item : defaults.AsList()) {
    DefaultsEntry entry;
    entry.origin = item.origin();
    if (item.IsString()) {
      if (item.AsString() == "_self_") {
        entry.kind = DefaultsEntry::Kind::kSelf;
      } else {
        entry.kind = DefaultsEntry::Kind::kConfig;
        SplitPackage(item.AsString(), entry.path, entry.package);
        if (entry.path.empty()) MalformedEntry(item, "empty config name");
      }
      entries.push_back(entry);
      continue;
    }
    if (!item.IsMap() || item.Size() != 1) {
      MalformedEntry(
          item, fmt::format("expected a string or a one-key mapping, found {}", item.Describe()));
    }
    const Node::Entry& pair = item.Entries().front();
    entry.kind = DefaultsEntry::Kind::kGroup;
    entry.origin = pair.key_origin.IsKnown() ? pair.key_origin : item.origin();
    // keywords before the group: `optional`, `override`
    std::vector<std::string> words;
    for (const auto& word : Split(pair.key, ' ')) {
      if (!word.empty()) words.push_back(word);
    }
    if (words.empty()) MalformedEntry(item, "empty group name");
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      if (words[i] == "optional") {
        entry.optional = true;
      } else if (words[i] == "override") {
        entry.is_override = true;
      } else {
        MalformedEntry(
            item, fmt::format("unknown keyword '{}' (expected optional or override)", words[i]));
      }
    }
    SplitPackage(words.back(), entry.path, entry.package);
    if (entry.path.empty() || entry.path == "/") MalformedEntry(item, "empty group name");
    if (entry.path == "_self_") MalformedEntry(item, "_self_ takes no option and no package");
    const Node& value = pair.value;
    if (value.IsNull()) {
      entry.option = std::nullopt;
    } else if (value.IsMissing()) {
      entry.option = "???";
      entry.option_missing = true;
    } else if (value.IsString()) {
      entry.option = value.AsString();
    } else if (value.IsInt()) {
      entry.option = std::to_string(value.AsInt());
    } else if (value.IsList()) {
      entry.is_option_list = true;
      for (const Node& option : value.AsList()) {
        if (!option.IsString()) MalformedEntry(item, "every option in a list must be a name");
        if (option.AsString().find("${") != std::string::npos) {
          MalformedEntry(item, "interpolation is not supported in a list of options");
        }
        entry.options.push_back(option.AsString());
      }
      entry.option = Join(entry.options, ",");
    } else {
      MalformedEntry(item, fmt::format("the option must be a name, a list of names or null, "
                                       "found {}",
                                       value.Describe()));
    }
    entries.push_back(entry);
  }
  return entries;
}

bool IsGroupOverride(const ConfigRepository& repository, const Override& override_value) {
  if (override_value.value && override_value.value->IsMap()) return false;
  return repository.GroupExists(override_value.key);
}

DefaultsListResult BuildDefaultsList(ConfigRepository& repository,
                                     const std::string& primary_config_path,
                                     const std::vector<Override>& overrides) {
  DefaultsListResult result;
  DefaultsExpander expander(repository, overrides, result);
  expander.Run(primary_config_path);
  return result;
}

}  // namespace orch::config
