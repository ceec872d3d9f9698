// src/config/interpolation.cpp
#include "config/interpolation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/string_util.h"
#include "config/key_path.h"

namespace orch::config {
namespace {

constexpr const char* kKind = "interpolation";
constexpr std::string_view kKnownResolvers[] = {"now", "oc.env", "oc.select"};

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

bool StartsInterpolation(std::string_view text, size_t pos) {
  return pos + 1 < text.size() && text[pos] == '$' && text[pos + 1] == '{';
}

// ------------------------------------------------------------------------------------------------
// the parsed form of one string value
// ------------------------------------------------------------------------------------------------

/// Literal text (a view into the parsed string) or one nested `${...}`.
struct Piece {
  std::string_view literal;
  int expr = -1;  ///< index into Template::exprs; -1 for literal text
};

/// One resolver argument.
struct Arg {
  std::vector<Piece> pieces;
  bool quoted = false;
};

/// One `${...}`: a node reference (`${a.b}`) or a resolver call (`${oc.env:HOME}`).
struct Expr {
  std::string_view source;  ///< the whole `${...}` as written
  bool is_call = false;
  std::string_view resolver;  ///< calls: the resolver name
  std::vector<Piece> key;     ///< references: the key text, possibly with nested `${...}`
  std::vector<Arg> args;      ///< calls: the arguments
};

/// A whole string value: literal text and interpolations, escapes already removed.
struct Template {
  std::vector<Piece> pieces;
  std::vector<Expr> exprs;  ///< nested expressions come before the ones that contain them
};

void AddLiteral(std::vector<Piece>& pieces, std::string_view literal) {
  if (literal.empty()) return;
  // extend the previous literal when the two are adjacent in the source
  if (!pieces.empty() && pieces.back().expr < 0 &&
      pieces.back().literal.data() + pieces.back().literal.size() == literal.data()) {
    pieces.back().literal = {pieces.back().literal.data(),
                             pieces.back().literal.size() + literal.size()};
    return;
  }
  pieces.push_back(Piece{literal, -1});
}

bool AllLiteral(const std::vector<Piece>& pieces) {
  return std::all_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.expr < 0; });
}

/// Walks the segments of a key (`a.b[0].c`, `..x`) one at a time, without allocating.
class KeyCursor {
 public:
  explicit KeyCursor(std::string_view key) : key_(key) {
    while (pos_ < key_.size() && key_[pos_] == '.') ++pos_;
    up_ = pos_;
  }

  /// Leading dots: 0 for an absolute key, 1 for the containing node, 2 for its parent, ...
  size_t up() const { return up_; }

  /// The next segment; false at the end or on a syntax error (then `error()` is non-empty).
  bool Next(std::string_view& segment) {
    if (!error_.empty() || pos_ >= key_.size()) return false;
    const bool bracket = key_[pos_] == '[';
    // after a segment comes `.name` or `[name]`
    if (!first_ && !bracket) {
      if (key_[pos_] != '.') return Fail(fmt::format("unexpected '{}' in key", key_[pos_]));
      ++pos_;
      if (pos_ >= key_.size()) return Fail("key ends with '.'");
      if (key_[pos_] == '.' || key_[pos_] == '[') return Fail("empty key segment");
    }
    first_ = false;
    // a bracketed segment
    if (bracket) {
      size_t close = key_.find(']', pos_);
      if (close == std::string_view::npos) return Fail("missing ']'");
      segment = key_.substr(pos_ + 1, close - pos_ - 1);
      if (segment.empty()) return Fail("empty '[]' in key");
      pos_ = close + 1;
      return true;
    }
    // a dotted segment
    size_t end = std::min(key_.find_first_of(".[]", pos_), key_.size());
    segment = key_.substr(pos_, end - pos_);
    if (segment.empty()) return Fail(fmt::format("unexpected '{}' in key", key_[pos_]));
    pos_ = end;
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string cause) {
    error_ = std::move(cause);
    return false;
  }

  std::string_view key_;
  size_t pos_ = 0;
  size_t up_ = 0;
  bool first_ = true;
  std::string error_;
};

/// Checks the syntax of a whole key; returns an empty string when it is valid.
std::string CheckKey(std::string_view key) {
  KeyCursor cursor(key);
  std::string_view segment;
  size_t segments = 0;
  while (cursor.Next(segment)) ++segments;
  if (!cursor.error().empty()) return cursor.error();
  if (segments == 0 && cursor.up() == 0) return "empty key";
  return {};
}

/// Parses a string value into a Template (the grammar of OmegaConf 2.2, restated).
class TemplateParser {
 public:
  TemplateParser(std::string_view text, Template& out) : text_(text), out_(out) {}

  /// False on a syntax error, with the cause in `cause()`.
  bool Parse() {
    size_t pos = 0;
    while (pos < text_.size()) {
      size_t next = text_.find_first_of("\\$", pos);
      if (next == std::string_view::npos) next = text_.size();
      AddLiteral(out_.pieces, text_.substr(pos, next - pos));
      pos = next;
      if (pos >= text_.size()) break;
      // backslashes: `\${` is a literal `${`, `\\${` a backslash then an interpolation
      if (text_[pos] == '\\') {
        size_t run_end = std::min(text_.find_first_not_of('\\', pos), text_.size());
        size_t run = run_end - pos;
        if (StartsInterpolation(text_, run_end)) {
          AddLiteral(out_.pieces, text_.substr(pos, run / 2));
          if (run % 2 == 1) {
            AddLiteral(out_.pieces, text_.substr(run_end, 2));
            run_end += 2;
          }
        } else {
          AddLiteral(out_.pieces, text_.substr(pos, run));
        }
        pos = run_end;
        continue;
      }
      // a dollar sign: an interpolation or a literal `$`
      if (StartsInterpolation(text_, pos)) {
        int index = -1;
        if (!ParseInterpolation(pos, index)) return false;
        out_.pieces.push_back(Piece{{}, index});
      } else {
        AddLiteral(out_.pieces, text_.substr(pos, 1));
        ++pos;
      }
    }
    return true;
  }

  const std::string& cause() const { return cause_; }

 private:
  bool Fail(std::string cause) {
    cause_ = std::move(cause);
    return false;
  }

  size_t SkipSpaces(size_t pos) const {
    while (pos < text_.size() && IsSpace(text_[pos])) ++pos;
    return pos;
  }

  // `pos` is at `${`; on success it is past the closing `}`
  bool ParseInterpolation(size_t& pos, int& index) {
    const size_t start = pos;
    pos += 2;
    Expr expr;
    // a resolver call starts with a name and a colon
    size_t name_begin = SkipSpaces(pos);
    size_t name_end = name_begin;
    if (name_end < text_.size() && IsNameStart(text_[name_end])) {
      while (name_end < text_.size() && IsNameChar(text_[name_end])) ++name_end;
    }
    size_t after_name = SkipSpaces(name_end);
    if (name_end > name_begin && after_name < text_.size() && text_[after_name] == ':') {
      expr.is_call = true;
      expr.resolver = text_.substr(name_begin, name_end - name_begin);
      pos = after_name + 1;
      if (!ParseArguments(pos, expr)) return false;
    } else if (!ParseReference(pos, expr)) {
      return false;
    }
    expr.source = text_.substr(start, pos - start);
    index = static_cast<int>(out_.exprs.size());
    out_.exprs.push_back(std::move(expr));
    return true;
  }

  // `pos` is just after `${`; reads the key up to the closing `}`
  bool ParseReference(size_t& pos, Expr& expr) {
    pos = SkipSpaces(pos);
    while (true) {
      if (pos >= text_.size()) return Fail("missing closing '}'");
      char c = text_[pos];
      if (c == '}') {
        ++pos;
        break;
      }
      // a nested interpolation inside the key
      if (StartsInterpolation(text_, pos)) {
        int index = -1;
        if (!ParseInterpolation(pos, index)) return false;
        expr.key.push_back(Piece{{}, index});
        continue;
      }
      // spaces are allowed only before the closing brace
      if (IsSpace(c)) {
        size_t end = SkipSpaces(pos);
        if (end < text_.size() && text_[end] == '}') {
          pos = end;
          continue;
        }
        if (end >= text_.size()) return Fail("missing closing '}'");
        return Fail("unexpected space in key");
      }
      if (std::string_view("\\{()'\":").find(c) != std::string_view::npos) {
        return Fail(fmt::format("unexpected '{}' in key", c));
      }
      // a run of ordinary key characters (a `$` not followed by `{` is one of them)
      size_t end = pos + 1;
      while (end < text_.size() &&
             std::string_view("}$ \t\\{()'\":").find(text_[end]) == std::string_view::npos) {
        ++end;
      }
      AddLiteral(expr.key, text_.substr(pos, end - pos));
      pos = end;
    }
    if (expr.key.empty()) return Fail("empty key");
    // a key without nested interpolations is checked now, the others once they are known
    if (AllLiteral(expr.key)) {
      std::string cause = CheckKey(expr.key.size() == 1 ? expr.key[0].literal : "");
      if (!cause.empty()) return Fail(std::move(cause));
    }
    return true;
  }

  // `pos` is just after the resolver's colon; reads arguments up to the closing `}`
  bool ParseArguments(size_t& pos, Expr& expr) {
    Arg arg;
    bool after_quote = false;
    while (true) {
      if (pos >= text_.size()) return Fail("missing closing '}'");
      char c = text_[pos];
      // the end of an argument
      if (c == '}' || c == ',') {
        FinishArg(arg, expr);
        arg = Arg{};
        after_quote = false;
        ++pos;
        if (c == '}') break;
        continue;
      }
      // only spaces may follow a quoted argument
      if (after_quote) {
        if (!IsSpace(c)) return Fail("unexpected text after a quoted argument");
        ++pos;
        continue;
      }
      // a nested interpolation
      if (StartsInterpolation(text_, pos)) {
        int index = -1;
        if (!ParseInterpolation(pos, index)) return false;
        arg.pieces.push_back(Piece{{}, index});
        continue;
      }
      // a quote at the start of an argument opens a quoted string
      if ((c == '\'' || c == '"') && IsBlank(arg)) {
        arg.pieces.clear();
        arg.quoted = true;
        if (!ParseQuoted(pos, arg)) return false;
        after_quote = true;
        continue;
      }
      if (c == '{') return Fail("unexpected '{' in resolver arguments");
      // a run of ordinary characters
      size_t end = pos + 1;
      while (end < text_.size() &&
             std::string_view("},${'\"").find(text_[end]) == std::string_view::npos) {
        ++end;
      }
      AddLiteral(arg.pieces, text_.substr(pos, end - pos));
      pos = end;
    }
    // `${now:}` has no argument at all
    if (expr.args.size() == 1 && !expr.args[0].quoted && expr.args[0].pieces.empty()) {
      expr.args.clear();
    }
    return true;
  }

  // `pos` is at the opening quote; on success it is past the closing one
  bool ParseQuoted(size_t& pos, Arg& arg) {
    const char quote = text_[pos];
    ++pos;
    while (true) {
      if (pos >= text_.size()) return Fail("unterminated quoted string");
      char c = text_[pos];
      if (c == quote) {
        ++pos;
        return true;
      }
      // `\'` (or `\"`) is the quote itself, `\${` a literal `${`
      if (c == '\\' && pos + 1 < text_.size() && text_[pos + 1] == quote) {
        AddLiteral(arg.pieces, text_.substr(pos + 1, 1));
        pos += 2;
        continue;
      }
      if (c == '\\' && StartsInterpolation(text_, pos + 1)) {
        AddLiteral(arg.pieces, text_.substr(pos + 1, 2));
        pos += 3;
        continue;
      }
      if (StartsInterpolation(text_, pos)) {
        int index = -1;
        if (!ParseInterpolation(pos, index)) return false;
        arg.pieces.push_back(Piece{{}, index});
        continue;
      }
      // a run of ordinary characters
      size_t end = pos + 1;
      while (end < text_.size() && text_[end] != quote && text_[end] != '\\' && text_[end] != '$') {
        ++end;
      }
      AddLiteral(arg.pieces, text_.substr(pos, end - pos));
      pos = end;
    }
  }

  static bool IsBlank(const Arg& arg) {
    for (const auto& piece : arg.pieces) {
      if (piece.expr >= 0 || !Trim(piece.literal).empty()) return false;
    }
    return true;
  }

  // unquoted arguments lose their surrounding spaces
  static void FinishArg(Arg& arg, Expr& expr) {
    if (!arg.quoted) {
      if (!arg.pieces.empty() && arg.pieces.front().expr < 0) {
        auto& first = arg.pieces.front().literal;
        while (!first.empty() && IsSpace(first.front())) first.remove_prefix(1);
        if (first.empty()) arg.pieces.erase(arg.pieces.begin());
      }
      if (!arg.pieces.empty() && arg.pieces.back().expr < 0) {
        auto& last = arg.pieces.back().literal;
        while (!last.empty() && IsSpace(last.back())) last.remove_suffix(1);
        if (last.empty()) arg.pieces.pop_back();
      }
    }
    expr.args.push_back(std::move(arg));
  }

  std::string_view text_;
  Template& out_;
  std::string cause_;
};

// ------------------------------------------------------------------------------------------------
// values and their text
// ------------------------------------------------------------------------------------------------

/// The result of one `${...}`: a node of the tree (already resolved) or a computed value.
struct Value {
  const Node* ref = nullptr;
  Node owned;

  const Node& Get() const { return ref != nullptr ? *ref : owned; }
  Node Take() { return ref != nullptr ? *ref : std::move(owned); }
};

/// Appends a scalar as YAML writes it; false for containers and `???`.
bool AppendScalar(const Node& node, std::string& out) {
  switch (node.type()) {
    case NodeType::kNull:
      out += "null";
      return true;
    case NodeType::kBool:
      out += node.AsBool() ? "true" : "false";
      return true;
    case NodeType::kInt:
      fmt::format_to(std::back_inserter(out), "{}", node.AsInt());
      return true;
    case NodeType::kFloat:
      out += FormatDouble(node.AsDouble());
      return true;
    case NodeType::kString:
      out += node.AsString();
      return true;
    case NodeType::kMissing:
    case NodeType::kList:
    case NodeType::kMap:
      return false;
  }
  return false;
}

// `DIGIT ('_'? DIGIT)*`
bool MatchDigitGroup(std::string_view text, size_t& pos) {
  if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) return false;
  ++pos;
  while (pos < text.size()) {
    size_t next = text[pos] == '_' ? pos + 1 : pos;
    if (next >= text.size() || !std::isdigit(static_cast<unsigned char>(text[next]))) break;
    pos = next + 1;
  }
  return true;
}

// `'0' | [1-9] ('_'? DIGIT)*`
bool MatchUnsignedInt(std::string_view text, size_t& pos) {
  if (pos < text.size() && text[pos] == '0') {
    ++pos;
    return true;
  }
  return MatchDigitGroup(text, pos);
}

/// An unquoted resolver argument typed as OmegaConf types it: int, float, bool, null or string.
Node TypeArgument(std::string_view text) {
  const std::string lower = ToLower(text);
  if (lower == "null") return Node::Null();
  if (lower == "true" || lower == "false") return Node::Bool(lower == "true");
  // the number grammar: sign, integer part, fraction, exponent (underscores between digits)
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  std::string_view unsigned_part = std::string_view(lower).substr(pos);
  bool is_float = unsigned_part == "inf" || unsigned_part == "nan";
  bool is_int = false;
  if (!is_float) {
    bool int_part = MatchUnsignedInt(text, pos);
    bool point = false;
    bool fraction = false;
    if (pos < text.size() && text[pos] == '.') {
      point = true;
      ++pos;
      fraction = MatchDigitGroup(text, pos);
    }
    bool exponent = false;
    bool valid = int_part || fraction;
    if (valid && pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
      ++pos;
      if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
      exponent = MatchDigitGroup(text, pos);
      valid = exponent;
    }
    if (!valid || pos != text.size()) return Node::String(std::string(text));
    is_float = point || exponent;
    is_int = !is_float;
  }
  // convert without underscores and without a leading plus
  std::string digits;
  digits.reserve(text.size());
  for (char c : text) {
    if (c != '_') digits += c;
  }
  if (!digits.empty() && digits.front() == '+') digits.erase(0, 1);
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  if (is_int) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(first, last, value);
    if (error == std::errc() && end == last) return Node::Int(value);
    return Node::String(std::string(text));
  }
  double value = 0;
  auto [end, error] = std::from_chars(first, last, value);
  if (error == std::errc() && end == last) return Node::Float(value);
  return Node::String(std::string(text));
}

/// `an int`, `a float`: a type name with its article, for messages.
std::string WithArticle(NodeType type) {
  std::string name = TypeName(type);
  const bool vowel = std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + name;
}

std::string DidYouMeanPaths(const std::vector<std::string>& paths) {
  if (paths.empty()) return {};
  if (paths.size() == 1) return "Did you mean " + Quoted(paths[0]) + "?";
  std::vector<std::string> quoted;
  for (const auto& path : paths) quoted.push_back(Quoted(path));
  return "Did you mean one of " + Join(quoted, ", ") + "?";
}

// ------------------------------------------------------------------------------------------------
// resolution of the whole tree
// ------------------------------------------------------------------------------------------------

class Resolver {
 public:
  Resolver(Node& root, Diagnostics& diagnostics, const InterpolationContext& context)
      : root_(root), diagnostics_(diagnostics), context_(context) {}

  void Run() {
    // find every interpolation, in document order
    Collect(root_);
    if (sites_.empty()) return;
    by_node_.reserve(sites_.size());
    for (uint32_t i = 0; i < sites_.size(); ++i) by_node_.emplace_back(sites_[i].node, i);
    std::sort(by_node_.begin(), by_node_.end());
    // resolve each one (those reached through others are already done)
    for (uint32_t i = 0; i < sites_.size(); ++i) Resolve(i);
  }

 private:
  enum class State : uint8_t { kPending, kActive, kDone, kFailed };

  /// One step from a container to its child: the map key, or the list index.
  struct Step {
    const Node* container;
    std::string_view key;
    size_t index;
  };

  /// A string node holding an interpolation, with its path from the root.
  struct Site {
    Node* node;
    std::vector<Step> path;
    State state = State::kPending;
  };

  /// A node whose resolution is under way: a site, or a container being resolved for a copy.
  struct Active {
    int site;          ///< -1 for a container
    std::string name;  ///< containers: the display key
  };

  enum class Lookup : uint8_t { kFound, kNotFound, kFailed };

  void Collect(Node& node) {
    if (node.IsString()) {
      if (node.IsInterpolation()) sites_.push_back(Site{&node, path_});
    } else if (node.IsMap()) {
      for (auto& entry : node.MutableEntries()) {
        path_.push_back(Step{&node, entry.key, 0});
        Collect(entry.value);
        path_.pop_back();
      }
    } else if (node.IsList()) {
      auto& items = node.MutableList();
      for (size_t index = 0; index < items.size(); ++index) {
        path_.push_back(Step{&node, {}, index});
        Collect(items[index]);
        path_.pop_back();
      }
    }
  }

  // --- keys and diagnostics

  static std::string PathKey(const std::vector<Step>& path, size_t steps) {
    std::string key;
    for (size_t i = 0; i < steps; ++i) {
      key = path[i].container->IsList() ? IndexKey(key, path[i].index) : JoinKey(key, path[i].key);
    }
    return key;
  }

  std::string SiteKey(uint32_t site) const {
    return PathKey(sites_[site].path, sites_[site].path.size());
  }

  void Report(uint32_t site, std::string message, std::string suggestion = {},
              std::vector<std::string> candidates = {}, std::vector<std::string> details = {}) {
    Diagnostic diagnostic;
    diagnostic.origin = sites_[site].node->origin();
    diagnostic.key = SiteKey(site);
    diagnostic.message = std::move(message);
    diagnostic.suggestion = std::move(suggestion);
    diagnostic.kind = kKind;
    diagnostic.candidates = std::move(candidates);
    diagnostic.details = std::move(details);
    diagnostics_.Add(std::move(diagnostic));
  }

  void ReportCycle(uint32_t site) {
    // the cycle is the part of the active stack from `site` upwards, back to `site`
    size_t first = 0;
    while (first < active_.size() && active_[first].site != static_cast<int>(site)) ++first;
    std::vector<std::string> names;
    std::vector<std::string> details;
    for (size_t i = first; i < active_.size(); ++i) {
      const Active& entry = active_[i];
      if (entry.site < 0) {
        names.push_back(entry.name);
        continue;
      }
      const Site& member = sites_[entry.site];
      names.push_back(SiteKey(entry.site));
      std::string detail = fmt::format("{} = {}", names.back(), Quoted(member.node->AsString()));
      if (member.node->origin().IsKnown()) detail += " (" + member.node->origin().ToString() + ")";
      details.push_back(std::move(detail));
    }
    names.push_back(SiteKey(site));
    Report(site, "interpolation cycle: " + Join(names, " -> "),
           "Break the cycle by giving one of these keys a plain value", {}, std::move(details));
  }

  // --- resolution of sites and containers

  bool Resolve(uint32_t site) {
    Site& s = sites_[site];
    switch (s.state) {
      case State::kDone:
        return true;
      case State::kFailed:
        return false;
      case State::kActive:
        ReportCycle(site);
        return false;
      case State::kPending:
        break;
    }
    s.state = State::kActive;
    active_.push_back(Active{static_cast<int>(site), {}});
    bool ok = Evaluate(site);
    active_.pop_back();
    s.state = ok ? State::kDone : State::kFailed;
    return ok;
  }

  /// Resolves `node` first when it is an interpolation still to be resolved.
  bool ResolveIfSite(const Node* node) {
    if (!node->IsString()) return true;
    auto it = std::lower_bound(by_node_.begin(), by_node_.end(), std::make_pair(node, 0u),
                               [](const auto& a, const auto& b) { return a.first < b.first; });
    if (it == by_node_.end() || it->first != node) return true;
    return Resolve(it->second);
  }

  /// Resolves every interpolation inside a container about to be copied.
  bool ResolveContainer(const Node& container, std::string name) {
    active_.push_back(Active{-1, std::move(name)});
    bool ok = ResolveChildren(container);
    active_.pop_back();
    return ok;
  }

  bool ResolveChildren(const Node& container) {
    auto visit = [&](const Node& child) {
      return child.IsContainer() ? ResolveChildren(child) : ResolveIfSite(&child);
    };
    if (container.IsMap()) {
      for (const auto& entry : container.Entries()) {
        if (!visit(entry.value)) return false;
      }
    } else if (container.IsList()) {
      for (const auto& item : container.AsList()) {
        if (!visit(item)) return false;
      }
    }
    return true;
  }

  bool Evaluate(uint32_t site) {
    Node& node = *sites_[site].node;
    const std::string& text = node.AsString();
    Template parsed;
    TemplateParser parser(text, parsed);
    if (!parser.Parse()) {
      Report(site, fmt::format("malformed interpolation {}: {}", Quoted(text), parser.cause()));
      return false;
    }
    // a value that is exactly one interpolation keeps the type of what it refers to
    if (parsed.pieces.size() == 1 && parsed.pieces[0].expr >= 0) {
      Value value;
      if (!EvaluateExpr(site, parsed, parsed.pieces[0].expr, value)) return false;
      Node result = value.Take();
      result.set_origin(node.origin());
      node = std::move(result);
      return true;
    }
    // anything else is string concatenation
    std::string out;
    if (!EvaluateText(site, parsed, parsed.pieces, out)) return false;
    node = Node::String(std::move(out), node.origin());
    return true;
  }

  bool EvaluateText(uint32_t site, const Template& parsed, const std::vector<Piece>& pieces,
                    std::string& out) {
    for (const auto& piece : pieces) {
      if (piece.expr < 0) {
        out += piece.literal;
        continue;
      }
      Value value;
      if (!EvaluateExpr(site, parsed, piece.expr, value)) return false;
      if (!AppendScalar(value.Get(), out)) {
        const Expr& expr = parsed.exprs[piece.expr];
        Report(site,
               fmt::format("interpolation {} is {} and cannot be part of a string",
                           Quoted(expr.source), WithArticle(value.Get().type())),
               fmt::format("Use {} as the whole value to copy the {}, or refer to one of its "
                           "entries",
                           Quoted(expr.source), TypeName(value.Get().type())));
        return false;
      }
    }
    return true;
  }

  bool EvaluateExpr(uint32_t site, const Template& parsed, int index, Value& out) {
    const Expr& expr = parsed.exprs[index];
    if (expr.is_call) return EvaluateCall(site, parsed, expr, out);
    // the key text, with nested interpolations substituted
    std::string built;
    std::string_view key;
    if (AllLiteral(expr.key)) {
      key = expr.key.empty() ? std::string_view() : expr.key[0].literal;
    } else {
      if (!EvaluateText(site, parsed, expr.key, built)) return false;
      std::string cause = CheckKey(built);
      if (!cause.empty()) {
        Report(site, fmt::format("malformed interpolation {}: {} (the key is {})",
                                 Quoted(expr.source), cause, Quoted(built)));
        return false;
      }
      key = built;
    }
    const Node* target = nullptr;
    if (Find(site, expr.source, key, true, target) != Lookup::kFound) return false;
    out.ref = target;
    return true;
  }

  /// Finds the node at `key` (relative keys start from the site's container) and resolves it.
  /// With `required`, a missing key or `???` value is reported; otherwise it is kNotFound.
  Lookup Find(uint32_t site, std::string_view source, std::string_view key, bool required,
              const Node*& result) {
    const Site& s = sites_[site];
    KeyCursor cursor(key);
    // the starting node: the root, or a container above the site
    const Node* current = &root_;
    size_t base = 0;
    if (cursor.up() > 0) {
      if (cursor.up() > s.path.size()) {
        Report(site,
               fmt::format("interpolation {} climbs above the root of the config", Quoted(source)),
               fmt::format("From {} at most {} leading dot{} can be used", Quoted(SiteKey(site)),
                           s.path.size(), s.path.size() == 1 ? "" : "s"));
        return Lookup::kFailed;
      }
      base = s.path.size() - cursor.up();
      current = s.path[base].container;
    }
    std::string display = PathKey(s.path, base);
    // one segment at a time, resolving interpolations on the way
    std::string_view segment;
    while (cursor.Next(segment)) {
      if (current->IsMissing()) return ReportMissing(site, source, display, required);
      const Node* child = nullptr;
      std::string child_display;
      if (current->IsList() && IsIndexSegment(segment)) {
        size_t index = 0;
        auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
        bool parsed = error == std::errc() && end == segment.data() + segment.size();
        if (parsed && index < current->Size()) child = &current->AsList()[index];
        child_display = parsed ? IndexKey(display, index) : JoinKey(display, segment);
      } else {
        if (current->IsMap()) child = current->Find(segment);
        child_display = JoinKey(display, segment);
      }
      if (child == nullptr) {
        if (required) ReportNotFound(site, source, *current, display, segment, child_display);
        return required ? Lookup::kFailed : Lookup::kNotFound;
      }
      display = std::move(child_display);
      current = child;
      if (!ResolveIfSite(current)) return Lookup::kFailed;
    }
    if (!cursor.error().empty()) {
      Report(site, fmt::format("malformed interpolation {}: {}", Quoted(source), cursor.error()));
      return Lookup::kFailed;
    }
    // the target itself: not `???`, and containers fully resolved before they are copied
    if (current->IsMissing()) return ReportMissing(site, source, display, required);
    if (current->IsContainer() &&
        !ResolveContainer(*current, display.empty() ? "<root>" : display)) {
      return Lookup::kFailed;
    }
    result = current;
    return Lookup::kFound;
  }

  Lookup ReportMissing(uint32_t site, std::string_view source, const std::string& display,
                       bool required) {
    if (!required) return Lookup::kNotFound;
    Report(site,
           fmt::format("interpolation {} refers to a missing mandatory value {}", Quoted(source),
                       Quoted(display)),
           fmt::format("Set {} in a config file or with an override", Quoted(display)));
    return Lookup::kFailed;
  }

  void ReportNotFound(uint32_t site, std::string_view source, const Node& parent,
                      const std::string& parent_display, std::string_view segment,
                      const std::string& missing) {
    std::string suggestion;
    std::vector<std::string> candidates;
    const std::string parent_name = parent_display.empty() ? "the root" : Quoted(parent_display);
    if (parent.IsMap()) {
      for (const auto& match : ClosestMatches(segment, parent.Keys())) {
        candidates.push_back(JoinKey(parent_display, match));
      }
      suggestion = DidYouMeanPaths(candidates);
    } else if (parent.IsList()) {
      suggestion =
          parent.Size() == 0
              ? fmt::format("{} is an empty list", parent_name)
              : fmt::format("{} is a list of {} item{} (indices 0 to {})", parent_name,
                            parent.Size(), parent.Size() == 1 ? "" : "s", parent.Size() - 1);
    } else if (parent.IsNull()) {
      suggestion = fmt::format("{} is null", parent_name);
    } else {
      suggestion =
          fmt::format("{} is {}, not a dict or list", parent_name, WithArticle(parent.type()));
    }
    Report(site,
           fmt::format("interpolation {} refers to a key that does not exist: {}", Quoted(source),
                       Quoted(missing)),
           std::move(suggestion), std::move(candidates));
  }

  // --- resolvers

  bool EvaluateArg(uint32_t site, const Template& parsed, const Arg& arg, Value& out) {
    // exactly one interpolation: its value, with its type
    if (!arg.quoted && arg.pieces.size() == 1 && arg.pieces[0].expr >= 0) {
      return EvaluateExpr(site, parsed, arg.pieces[0].expr, out);
    }
    // plain unquoted text: typed like a YAML scalar
    if (!arg.quoted && AllLiteral(arg.pieces)) {
      out.owned = arg.pieces.empty() ? Node::String({}) : TypeArgument(arg.pieces[0].literal);
      return true;
    }
    // quoted text or a mix: a string
    std::string text;
    if (!EvaluateText(site, parsed, arg.pieces, text)) return false;
    out.owned = Node::String(std::move(text));
    return true;
  }

  bool EvaluateCall(uint32_t site, const Template& parsed, const Expr& expr, Value& out) {
    // only known resolvers
    const bool known = std::find(std::begin(kKnownResolvers), std::end(kKnownResolvers),
                                 expr.resolver) != std::end(kKnownResolvers);
    if (!known) {
      std::vector<std::string> names(std::begin(kKnownResolvers), std::end(kKnownResolvers));
      std::vector<std::string> quoted;
      for (const auto& name : names) quoted.push_back(Quoted(name));
      std::string suggestion = DidYouMeanSentence(expr.resolver, names);
      if (!suggestion.empty()) suggestion += " ";
      suggestion += "Known resolvers: " + Join(quoted, ", ");
      Report(site,
             fmt::format("interpolation {} uses an unknown resolver {}", Quoted(expr.source),
                         Quoted(expr.resolver)),
             std::move(suggestion), ClosestMatches(expr.resolver, names));
      return false;
    }
    // the arguments, evaluated in order
    const size_t min_args = 1;
    const size_t max_args = expr.resolver == "now" ? 1 : 2;
    if (expr.args.size() < min_args || expr.args.size() > max_args) {
      const char* usage = expr.resolver == "now" ? "${now:FORMAT}"
                          : expr.resolver == "oc.env"
                              ? "${oc.env:VAR} or ${oc.env:VAR,default}"
                              : "${oc.select:key} or ${oc.select:key,default}";
      Report(site,
             fmt::format("interpolation {} passes {} argument{} to {}", Quoted(expr.source),
                         expr.args.size(), expr.args.size() == 1 ? "" : "s", Quoted(expr.resolver)),
             fmt::format("Write {}", usage));
      return false;
    }
    Value args[2];
    for (size_t i = 0; i < expr.args.size(); ++i) {
      if (!EvaluateArg(site, parsed, expr.args[i], args[i])) return false;
    }
    const bool has_default = expr.args.size() == 2;
    if (expr.resolver == "oc.env") return Env(site, expr, args[0], has_default, args[1], out);
    if (expr.resolver == "now") return Now(site, expr, args[0], out);
    return Select(site, expr, args[0], has_default, args[1], out);
  }

  /// The text of a scalar argument that must be a string (a name, a key, a format).
  bool ArgText(uint32_t site, const Expr& expr, const Value& arg, const char* what,
               std::string& text) {
    const Node& node = arg.Get();
    if (node.IsNull() || !AppendScalar(node, text)) {
      Report(site, fmt::format("interpolation {}: the {} must be a string, got {}",
                               Quoted(expr.source), what, TypeName(node.type())));
      return false;
    }
    return true;
  }

  bool Env(uint32_t site, const Expr& expr, const Value& name_arg, bool has_default,
           Value& default_arg, Value& out) {
    std::string name;
    if (!ArgText(site, expr, name_arg, "variable name", name)) return false;
    // the environment, or the injected lookup
    std::optional<std::string> value;
    if (context_.get_env) {
      value = context_.get_env(name);
    } else if (const char* raw = std::getenv(name.c_str())) {
      value = raw;
    }
    if (value.has_value()) {
      out.owned = Node::String(std::move(*value));
      return true;
    }
    // unset: the default as a string (null stays null), or an error
    if (!has_default) {
      Report(site,
             fmt::format("environment variable {} is not set, needed by {}", Quoted(name),
                         Quoted(expr.source)),
             fmt::format("Set it, or give a default: '${{oc.env:{},<default>}}'", name));
      return false;
    }
    const Node& fallback = default_arg.Get();
    if (fallback.IsNull()) {
      out.owned = Node::Null();
      return true;
    }
    std::string text;
    if (!ArgText(site, expr, default_arg, "default of 'oc.env'", text)) return false;
    out.owned = Node::String(std::move(text));
    return true;
  }

  bool Now(uint32_t site, const Expr& expr, const Value& format_arg, Value& out) {
    std::string format;
    if (!ArgText(site, expr, format_arg, "format", format)) return false;
    // local time of the context clock
    auto now = context_.now ? context_.now() : std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&seconds, &local);
    std::string text(64, '\0');
    while (true) {
      size_t size =
          format.empty() ? 0 : std::strftime(text.data(), text.size(), format.c_str(), &local);
      if (size > 0 || format.empty() || text.size() >= 4096) {
        text.resize(size);
        break;
      }
      text.resize(text.size() * 4);
    }
    out.owned = Node::String(std::move(text));
    return true;
  }

  bool Select(uint32_t site, const Expr& expr, const Value& key_arg, bool has_default,
              Value& default_arg, Value& out) {
    std::string key;
    if (!ArgText(site, expr, key_arg, "key", key)) return false;
    std::string cause = CheckKey(key);
    if (!cause.empty()) {
      Report(site, fmt::format("malformed interpolation {}: {} (the key is {})",
                               Quoted(expr.source), cause, Quoted(key)));
      return false;
    }
    // the node when it exists, else the default (or null)
    const Node* target = nullptr;
    switch (Find(site, expr.source, key, false, target)) {
      case Lookup::kFound:
        out.ref = target;
        return true;
      case Lookup::kFailed:
        return false;
      case Lookup::kNotFound:
        break;
    }
    if (has_default) {
      out = std::move(default_arg);
    } else {
      out.owned = Node::Null();
    }
    return true;
  }

  Node& root_;
  Diagnostics& diagnostics_;
  const InterpolationContext& context_;
  std::vector<Site> sites_;
  std::vector<std::pair<const Node*, uint32_t>> by_node_;  ///< sorted, to find a node's site
  std::vector<Step> path_;                                 ///< the walk's current path
  std::vector<Active> active_;                             ///< resolutions under way
};

}  // namespace

void ResolveInterpolations(Node& root, Diagnostics& diagnostics,
                           const InterpolationContext& context) {
  Resolver(root, diagnostics, context).Run();
}

}  // namespace orch::config
