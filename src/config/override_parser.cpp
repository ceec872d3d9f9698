// src/config/override_parser.cpp: the hand-written lexer and recursive-descent parser for
// command-line overrides (hydra-semantics.md §1), with the grammar functions and casts
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/diagnostic.h"
#include "common/error.h"
#include "common/string_util.h"
#include "config/override.h"

namespace orch::config {
namespace {

constexpr size_t kNone = std::string_view::npos;

// the grammar functions, sorted, as listed for an unknown function
const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> kNames = {"bool", "choice",   "float", "glob",
                                                  "int",  "interval", "range", "shuffle",
                                                  "sort", "str",      "tag"};
  return kNames;
}

// a syntax or evaluation error at a byte offset of the override; ParseOverride turns it into a
// ConfigError with a caret under that offset
struct ParseFailure {
  size_t position = 0;
  std::string message;
  std::string suggestion;
  std::vector<std::string> candidates;
};

[[noreturn]] void Fail(size_t position, std::string_view cause, std::string suggestion = {}) {
  throw ParseFailure{
      position, fmt::format("cannot parse override: {}", cause), std::move(suggestion), {}};
}

//----- characters

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsIdStart(char c) { return IsLetter(c) || c == '_'; }
bool IsIdChar(char c) { return IsIdStart(c) || IsDigit(c) || c == '-'; }
bool IsKeyChar(char c) { return IsIdChar(c) || c == '$'; }
bool IsIn(char c, std::string_view set) { return c != '\0' && set.find(c) != kNone; }
bool IsUnquotedChar(char c) { return IsIn(c, "/-\\+.$%*@?|"); }
bool IsEscapable(char c) { return IsIn(c, "\\()[]{}:=, \t"); }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// a character that no unquoted token accepts, as messages name it
std::string DescribeChar(std::string_view text, size_t position) {
  auto byte = static_cast<unsigned char>(text[position]);
  if (byte >= 0x80) {
    size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return fmt::format("non-ASCII character '{}'", text.substr(position, length));
  }
  if (byte < 0x20 || byte == 0x7F) return fmt::format("control character U+{:04X}", byte);
  return fmt::format("'{}'", text[position]);
}

//----- tokens

// the value-mode tokens of Hydra's lexer, and the end
enum class TokenKind {
  kEnd,
  kWhitespace,
  kId,
  kInt,
  kFloat,
  kBool,
  kNull,
  kUnquotedChar,
  kColon,
  kEscape,
  kInterpolation,
  kQuoted,
  kComma,
  kParenOpen,
  kParenClose,
  kBracketOpen,
  kBracketClose,
  kBraceOpen,
  kBraceClose,
  kEqual,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;  // first byte, including whitespace the token absorbs
  size_t end = 0;    // one past the last byte
  size_t mark = 0;   // the significant character, where a caret points
};

// tokens that make up an unquoted primitive (a run of them is one value)
bool IsPrimitiveKind(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWhitespace:
    case TokenKind::kId:
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kBool:
    case TokenKind::kNull:
    case TokenKind::kUnquotedChar:
    case TokenKind::kColon:
    case TokenKind::kEscape:
    case TokenKind::kInterpolation:
      return true;
    default:
      return false;
  }
}

// tokens that may make up a dict key: a primitive without ':' and interpolations
bool IsDictKeyKind(TokenKind kind) {
  return IsPrimitiveKind(kind) && kind != TokenKind::kColon && kind != TokenKind::kInterpolation;
}

// tokens that close a list, dict or call
bool IsCloser(TokenKind kind) {
  return kind == TokenKind::kBracketClose || kind == TokenKind::kBraceClose ||
         kind == TokenKind::kParenClose;
}

//----- lexer (value mode)

// splits the value part of an override into tokens on demand, following Hydra's lexer: the
// longest match wins, ties go to the earlier rule (FLOAT, INT, BOOL, NULL, UNQUOTED_CHAR, ID)
class Lexer {
 public:
  Lexer(std::string_view text, size_t position) : text_(text), position_(position) {}

  Token Next() {
    size_t begin = position_;
    if (begin >= text_.size()) return {TokenKind::kEnd, text_.size(), text_.size(), text_.size()};
    char c = text_[begin];
    // blanks before ( , ) ] } : = belong to that token; otherwise they are a token of their own
    if (IsBlank(c)) {
      size_t after = SkipBlanks(begin);
      if (IsIn(At(after), "(,)]}:=")) return Punctuation(begin, after);
      return Make(TokenKind::kWhitespace, begin, after, begin);
    }
    if (IsIn(c, "(,)[]{}:=")) return Punctuation(begin, begin);
    if (c == '\'' || c == '"') return Quoted(begin);
    if (c == '$' && At(begin + 1) == '{') return Interpolation(begin);
    if (c == '\\' && IsEscapable(At(begin + 1))) return Escape(begin);
    return Word(begin);
  }

 private:
  char At(size_t index) const { return index < text_.size() ? text_[index] : '\0'; }

  size_t SkipBlanks(size_t index) const {
    while (index < text_.size() && IsBlank(text_[index])) ++index;
    return index;
  }

  Token Make(TokenKind kind, size_t begin, size_t end, size_t mark) {
    position_ = end;
    return {kind, begin, end, mark};
  }

  // punctuation; ( , : = [ { also swallow the blanks after them
  Token Punctuation(size_t begin, size_t mark) {
    constexpr std::string_view kChars = "(,:=[{)]}";
    constexpr TokenKind kKinds[] = {
        TokenKind::kParenOpen,  TokenKind::kComma,        TokenKind::kColon,
        TokenKind::kEqual,      TokenKind::kBracketOpen,  TokenKind::kBraceOpen,
        TokenKind::kParenClose, TokenKind::kBracketClose, TokenKind::kBraceClose,
    };
    size_t at = kChars.find(text_[mark]);
    size_t end = at < 6 ? SkipBlanks(mark + 1) : mark + 1;
    return Make(kKinds[at], begin, end, mark);
  }

  // a quoted string ends at the first matching quote preceded by an even run of backslashes
  Token Quoted(size_t begin) {
    char quote = text_[begin];
    size_t backslashes = 0;
    for (size_t index = begin + 1; index < text_.size(); ++index) {
      char c = text_[index];
      if (c == quote && backslashes % 2 == 0) {
        return Make(TokenKind::kQuoted, begin, index + 1, begin);
      }
      backslashes = c == '\\' ? backslashes + 1 : 0;
    }
    Fail(begin, "unbalanced quote",
         fmt::format("Close the string with a matching {0} (write \\{0} for a {0} inside it)",
                     quote));
  }

  // `${...}` up to its matching close, so nested `${a.${b}}` and commas stay inside
  Token Interpolation(size_t begin) {
    int depth = 0;
    for (size_t index = begin + 1; index < text_.size(); ++index) {
      if (text_[index] == '{') {
        ++depth;
      } else if (text_[index] == '}' && --depth == 0) {
        if (index == begin + 2) Fail(begin, "empty interpolation '${}'");
        return Make(TokenKind::kInterpolation, begin, index + 1, begin);
      }
    }
    Fail(begin, "unterminated interpolation", "Close it with '}'");
  }

  // a run of escapes: \\ \( \) \[ \] \{ \} \: \= \, \<space> \<tab>
  Token Escape(size_t begin) {
    size_t index = begin;
    while (At(index) == '\\' && IsEscapable(At(index + 1))) index += 2;
    return Make(TokenKind::kEscape, begin, index, begin);
  }

  // numbers, keywords, identifiers and the other characters allowed unquoted
  Token Word(size_t begin) {
    struct Candidate {
      TokenKind kind;
      size_t length;
    };
    const Candidate candidates[] = {
        {TokenKind::kFloat, MatchFloat(begin)},
        {TokenKind::kInt, MatchInt(begin)},
        {TokenKind::kBool, std::max(MatchKeyword(begin, "true"), MatchKeyword(begin, "false"))},
        {TokenKind::kNull, MatchKeyword(begin, "null")},
        {TokenKind::kUnquotedChar, IsUnquotedChar(text_[begin]) ? size_t{1} : size_t{0}},
        {TokenKind::kId, MatchId(begin)},
    };
    Candidate best = candidates[0];
    for (const Candidate& candidate : candidates) {
      if (candidate.length > best.length) best = candidate;
    }
    if (best.length == 0) {
      Fail(begin, DescribeChar(text_, begin) + " must be quoted",
           "Quote the value (key='...'); unquoted values allow letters, digits and _ - / \\ + . "
           "$ % * @ ? | :");
    }
    return Make(best.kind, begin, begin + best.length, begin);
  }

  // '0' or a non-zero digit followed by digits with single '_' separators
  size_t MatchIntUnsigned(size_t index) const {
    if (At(index) == '0') return 1;
    if (!IsDigit(At(index))) return 0;
    return MatchDigits(index);
  }

  // DIGIT ('_'? DIGIT)*
  size_t MatchDigits(size_t index) const {
    size_t end = index;
    if (!IsDigit(At(end))) return 0;
    while (true) {
      if (IsDigit(At(end))) {
        ++end;
      } else if (At(end) == '_' && IsDigit(At(end + 1))) {
        end += 2;
      } else {
        break;
      }
    }
    return end - index;
  }

  // the INT and FLOAT rules of the lexer, and keywords and IDs
  size_t MatchSign(size_t index) const { return (At(index) == '+' || At(index) == '-') ? 1 : 0; }

  size_t MatchInt(size_t index) const {
    size_t sign = MatchSign(index);
    size_t digits = MatchIntUnsigned(index + sign);
    return digits == 0 ? 0 : sign + digits;
  }

  size_t MatchFloat(size_t index) const {
    size_t start = index + MatchSign(index);
    size_t special = 0;
    if (MatchKeyword(start, "inf") > 0 || MatchKeyword(start, "nan") > 0) {
      special = start + 3 - index;
    }
    // mantissa: D. | D.D | .D, or an integer when an exponent follows
    size_t integer = MatchIntUnsigned(start);
    size_t mantissa_end = kNone;
    bool has_point = false;
    if (integer > 0 && At(start + integer) == '.') {
      has_point = true;
      mantissa_end = start + integer + 1;
      mantissa_end += MatchDigits(mantissa_end);
    } else if (integer == 0 && At(start) == '.' && MatchDigits(start + 1) > 0) {
      has_point = true;
      mantissa_end = start + 1 + MatchDigits(start + 1);
    } else if (integer > 0) {
      mantissa_end = start + integer;
    }
    if (mantissa_end == kNone) return special;
    size_t end = has_point ? mantissa_end : kNone;
    // exponent
    if (At(mantissa_end) == 'e' || At(mantissa_end) == 'E') {
      size_t digits_at = mantissa_end + 1 + MatchSign(mantissa_end + 1);
      size_t digits = MatchDigits(digits_at);
      if (digits > 0) end = digits_at + digits;
    }
    if (end == kNone) return special;
    return std::max(special, end - index);
  }

  size_t MatchKeyword(size_t index, std::string_view word) const {
    for (size_t offset = 0; offset < word.size(); ++offset) {
      if (Lower(At(index + offset)) != word[offset]) return 0;
    }
    return word.size();
  }

  size_t MatchId(size_t index) const {
    if (!IsIdStart(At(index))) return 0;
    size_t end = index + 1;
    while (IsIdChar(At(end))) ++end;
    return end - index;
  }

  std::string_view text_;
  size_t position_;
};

//----- primitive conversions

// the characters an escape run stands for (`\,` is `,`)
std::string Unescape(std::string_view run) {
  std::string out;
  for (size_t index = 1; index < run.size(); index += 2) out += run[index];
  return out;
}

// the content of a quoted token: `\'` is a quote; a backslash run before a quote (or the closing
// quote) is halved; every other backslash is kept
std::string Unquote(std::string_view quoted) {
  char quote = quoted.front();
  std::string_view content = quoted.substr(1, quoted.size() - 2);
  std::string out;
  size_t index = 0;
  while (index < content.size()) {
    if (content[index] != '\\') {
      out += content[index++];
      continue;
    }
    size_t run_end = index;
    while (run_end < content.size() && content[run_end] == '\\') ++run_end;
    size_t run = run_end - index;
    if (run_end < content.size() && content[run_end] == quote) {
      out.append((run - 1) / 2, '\\');
      out += quote;
      index = run_end + 1;
    } else if (run_end == content.size()) {
      out.append(run / 2, '\\');
      index = run_end;
    } else {
      out.append(run, '\\');
      index = run_end;
    }
  }
  return out;
}

// digits with single `_` separators (Python's rule) copied to `out` without the separators
bool TakeDigits(std::string_view text, size_t& index, std::string& out) {
  if (index >= text.size() || !IsDigit(text[index])) return false;
  while (index < text.size()) {
    if (IsDigit(text[index])) {
      out += text[index++];
    } else if (text[index] == '_' && index + 1 < text.size() && IsDigit(text[index + 1])) {
      ++index;
    } else {
      break;
    }
  }
  return true;
}

// `text` without the whitespace Python's int() and float() ignore
std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == kNone) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// the outcome of reading a number
enum class NumberStatus { kOk, kInvalid, kOutOfRange };

// Python's `int(text)` in base 10 (whitespace, sign, `_` separators, leading zeros allowed)
NumberStatus PythonInt(std::string_view text, int64_t& value) {
  text = TrimSpace(text);
  std::string digits;
  size_t index = 0;
  if (index < text.size() && (text[index] == '+' || text[index] == '-')) {
    if (text[index] == '-') digits += '-';
    ++index;
  }
  if (!TakeDigits(text, index, digits) || index != text.size()) return NumberStatus::kInvalid;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::result_out_of_range) return NumberStatus::kOutOfRange;
  return (error == std::errc() && end == digits.data() + digits.size()) ? NumberStatus::kOk
                                                                        : NumberStatus::kInvalid;
}

// converts a validated decimal float (no `_`, no leading `+`) to the nearest double
double DecimalToDouble(const std::string& text) {
  double value = 0.0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range) return std::strtod(text.c_str(), nullptr);
  return value;
}

// Python's `float(text)`: whitespace, sign, `inf`/`infinity`/`nan` in any case, decimal
// mantissa with optional exponent, `_` separators between digits
std::optional<double> PythonFloat(std::string_view text) {
  text = TrimSpace(text);
  bool negative = false;
  size_t index = 0;
  if (index < text.size() && (text[index] == '+' || text[index] == '-')) {
    negative = text[index] == '-';
    ++index;
  }
  std::string rest = ToLower(text.substr(index));
  if (rest == "inf" || rest == "infinity") {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (rest == "nan") return std::numeric_limits<double>::quiet_NaN();
  std::string cleaned = negative ? "-" : "";
  bool integer_digits = TakeDigits(text, index, cleaned);
  bool fraction_digits = false;
  if (index < text.size() && text[index] == '.') {
    cleaned += text[index++];
    fraction_digits = TakeDigits(text, index, cleaned);
  }
  if (!integer_digits && !fraction_digits) return std::nullopt;
  if (index < text.size() && (text[index] == 'e' || text[index] == 'E')) {
    cleaned += text[index++];
    if (index < text.size() && (text[index] == '+' || text[index] == '-')) {
      cleaned += text[index++];
    }
    if (!TakeDigits(text, index, cleaned)) return std::nullopt;
  }
  if (index != text.size()) return std::nullopt;
  return DecimalToDouble(cleaned);
}

// Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16
std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string_view scientific(buffer, static_cast<size_t>(result.ptr - buffer));
  std::string out;
  if (scientific.front() == '-') {
    out += '-';
    scientific.remove_prefix(1);
  }
  size_t e_at = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e_at)) {
    if (c != '.') digits += c;
  }
  int exponent = std::atoi(std::string(scientific.substr(e_at + 1)).c_str());
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    auto integer_length = static_cast<size_t>(exponent + 1);
    if (digits.size() <= integer_length) {
      return out + digits + std::string(integer_length - digits.size(), '0') + ".0";
    }
    return out + digits.substr(0, integer_length) + "." + digits.substr(integer_length);
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  return out + fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
}

//----- parsed elements

// a parsed element (a Node) or a sweep, with the offset where it starts
struct Item {
  std::optional<Node> node;
  std::optional<Sweep> sweep;
  size_t position = 0;
};

// an element or a sweep starting at `position`
Item NodeItem(Node node, size_t position) {
  Item item;
  item.node = std::move(node);
  item.position = position;
  return item;
}

Item SweepItem(Sweep sweep, size_t position) {
  Item item;
  item.sweep = std::move(sweep);
  item.position = position;
  return item;
}

// what a sweep or element is, for messages
const char* SweepKindName(Sweep::Kind kind) {
  switch (kind) {
    case Sweep::Kind::kChoice:
      return "choice sweep";
    case Sweep::Kind::kRange:
      return "range sweep";
    case Sweep::Kind::kInterval:
      return "interval sweep";
    case Sweep::Kind::kGlob:
      return "glob sweep";
  }
  return "sweep";
}

std::string DescribeItem(const Item& item) {
  if (item.sweep) return SweepKindName(item.sweep->kind);
  return TypeName(item.node->type());
}

// one argument of a function call: positional when `name` is empty
struct Argument {
  std::string name;
  size_t name_position = 0;
  Item item;
};

//----- sorting in Python's order

// the groups of values Python can order among themselves
enum class SortClass { kNumber, kString, kList, kOther };

SortClass ClassOf(const Node& node) {
  if (node.IsBool() || node.IsNumber()) return SortClass::kNumber;
  if (node.IsString()) return SortClass::kString;
  if (node.IsList()) return SortClass::kList;
  return SortClass::kOther;
}

// two values Python cannot order
struct Unorderable {
  std::string left;
  std::string right;
};

// bools, ints and floats compare by value
int CompareNumbers(const Node& a, const Node& b) {
  auto as_int = [](const Node& node) {
    return node.IsBool() ? int64_t{node.AsBool()} : node.AsInt();
  };
  if (!a.IsFloat() && !b.IsFloat()) {
    int64_t x = as_int(a);
    int64_t y = as_int(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  double x = a.IsFloat() ? a.AsDouble() : static_cast<double>(as_int(a));
  double y = b.IsFloat() ? b.AsDouble() : static_cast<double>(as_int(b));
  // NaN orders after every number (Python leaves it unspecified; we need a strict order)
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// three-way comparison in Python's order; throws Unorderable where Python raises TypeError
int CompareValues(const Node& a, const Node& b) {
  SortClass left = ClassOf(a);
  SortClass right = ClassOf(b);
  if (left != right || left == SortClass::kOther) {
    throw Unorderable{TypeName(a.type()), TypeName(b.type())};
  }
  switch (left) {
    case SortClass::kNumber:
      return CompareNumbers(a, b);
    case SortClass::kString: {
      int order = a.AsString().compare(b.AsString());
      return order < 0 ? -1 : (order > 0 ? 1 : 0);
    }
    case SortClass::kList: {
      const Node::List& x = a.AsList();
      const Node::List& y = b.AsList();
      for (size_t index = 0; index < x.size() && index < y.size(); ++index) {
        if (x[index].Equals(y[index])) continue;
        int order = CompareValues(x[index], y[index]);
        if (order != 0) return order;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case SortClass::kOther:
      break;
  }
  return 0;
}

//----- grammar functions

// the four casts
enum class CastKind { kInt, kFloat, kStr, kBool };

// which arguments a function takes, as a Python signature would say
struct Signature {
  std::vector<std::string_view> parameters;  // positional-or-keyword, in order
  size_t required = 0;                       // how many of `parameters` are required
  bool variadic = false;                     // takes `*args`
  std::vector<std::string_view> keyword_only;

  // the parameter a keyword argument names, if any
  std::optional<std::string_view> Find(std::string_view name) const {
    for (const auto* names : {&parameters, &keyword_only}) {
      for (std::string_view parameter : *names) {
        if (parameter == name) return parameter;
      }
    }
    return std::nullopt;
  }
};

// arguments matched to a signature
struct Bound {
  std::vector<const Argument*> variadic;
  std::vector<std::pair<std::string_view, const Argument*>> named;

  const Argument* Get(std::string_view name) const {
    for (const auto& [parameter, argument] : named) {
      if (parameter == name) return argument;
    }
    return nullptr;
  }
};

// one call of a grammar function, evaluated once its arguments are parsed
class Call {
 public:
  Call(std::string name, std::string text, size_t position, std::vector<Argument> arguments)
      : name_(std::move(name)),
        text_(std::move(text)),
        position_(position),
        arguments_(std::move(arguments)) {}

  Item Evaluate() const {
    if (name_ == "choice") return Choice();
    if (name_ == "range") return Range();
    if (name_ == "interval") return Interval();
    if (name_ == "glob") return Glob();
    if (name_ == "sort") return Sort();
    if (name_ == "shuffle") return Shuffle();
    if (name_ == "tag") return Tag();
    if (name_ == "int") return Cast(CastKind::kInt);
    if (name_ == "float") return Cast(CastKind::kFloat);
    if (name_ == "str") return Cast(CastKind::kStr);
    if (name_ == "bool") return Cast(CastKind::kBool);
    std::string did_you_mean = DidYouMeanSentence(name_, FunctionNames());
    ParseFailure failure{position_, Message(fmt::format("unknown function '{}'", name_)),
                         (did_you_mean.empty() ? "" : did_you_mean + " ") +
                             "Available functions: " + Join(FunctionNames(), ", "),
                         ClosestMatches(name_, FunctionNames())};
    throw failure;
  }

 private:
  // evaluation errors name the call as written
  std::string Message(std::string_view cause) const {
    return fmt::format("cannot evaluate '{}': {}", text_, cause);
  }

  [[noreturn]] void Fail(size_t position, std::string_view cause,
                         std::string suggestion = {}) const {
    throw ParseFailure{position, Message(cause), std::move(suggestion), {}};
  }

  // match the arguments to a signature with Python's binding rules
  Bound Bind(const Signature& signature) const {
    Bound bound;
    size_t next_parameter = 0;
    for (const Argument& argument : arguments_) {
      if (argument.name.empty()) {
        if (signature.variadic) {
          bound.variadic.push_back(&argument);
        } else if (next_parameter < signature.parameters.size()) {
          bound.named.emplace_back(signature.parameters[next_parameter++], &argument);
        } else {
          Fail(argument.item.position, "too many positional arguments");
        }
        continue;
      }
      std::optional<std::string_view> parameter = signature.Find(argument.name);
      if (!parameter) {
        Fail(argument.name_position,
             fmt::format("got an unexpected keyword argument '{}'", argument.name));
      }
      if (bound.Get(*parameter) != nullptr) {
        Fail(argument.name_position,
             fmt::format("multiple values for argument '{}'", argument.name));
      }
      bound.named.emplace_back(*parameter, &argument);
    }
    for (size_t index = 0; index < signature.required; ++index) {
      if (bound.Get(signature.parameters[index]) == nullptr) {
        Fail(position_,
             fmt::format("missing a required argument: '{}'", signature.parameters[index]));
      }
    }
    return bound;
  }

  // an element argument (sweeps cannot be nested)
  const Node& Element(const Argument& argument) const {
    if (argument.item.sweep) {
      Fail(argument.item.position, argument.item.sweep->kind == Sweep::Kind::kChoice
                                       ? "nesting choices is not supported"
                                       : "nesting sweeps is not supported");
    }
    return *argument.item.node;
  }

  // several arguments as a simple sweep (a,b,c)
  Sweep SimpleChoice(const std::vector<const Argument*>& arguments) const {
    Sweep sweep;
    sweep.kind = Sweep::Kind::kChoice;
    sweep.simple_form = true;
    for (const Argument* argument : arguments) sweep.items.push_back(Element(*argument));
    return sweep;
  }

  // choice(a, b, ...): a choice sweep over its arguments
  Item Choice() const {
    Bound bound = Bind({.variadic = true});
    if (bound.variadic.empty()) Fail(position_, "empty choice is not legal");
    if (bound.variadic.size() == 1 && bound.variadic[0]->item.sweep) {
      Sweep sweep = *bound.variadic[0]->item.sweep;
      if (sweep.kind == Sweep::Kind::kChoice && sweep.simple_form) {
        sweep.simple_form = false;
        return SweepItem(std::move(sweep), position_);
      }
    }
    Sweep sweep = SimpleChoice(bound.variadic);
    sweep.simple_form = false;
    return SweepItem(std::move(sweep), position_);
  }

  // a numeric argument of range() or interval(); bools are not numbers here
  Node Number(const Argument& argument, std::string_view name, bool finite) const {
    const Item& item = argument.item;
    if (item.sweep || !item.node->IsNumber()) {
      Fail(item.position, fmt::format("argument '{}' must be an int or a float, got {}", name,
                                      DescribeItem(item)));
    }
    if (finite && item.node->IsFloat() && !std::isfinite(item.node->AsDouble())) {
      Fail(item.position, fmt::format("argument '{}' must be finite, got {}", name,
                                      PythonFloatRepr(item.node->AsDouble())));
    }
    return *item.node;
  }

  // all bounds floats when one is; the step must not be zero
  void NormalizeRange(Sweep& sweep, size_t step_position) const {
    if (sweep.start.IsFloat() || sweep.stop.IsFloat() || sweep.step.IsFloat()) {
      for (Node* bound : {&sweep.start, &sweep.stop, &sweep.step}) {
        if (bound->IsInt()) *bound = Node::Float(static_cast<double>(bound->AsInt()));
      }
    }
    if (sweep.step.AsDouble() == 0.0) Fail(step_position, "range step cannot be zero");
  }

  // range(stop), range(start, stop[, step])
  Item Range() const {
    Bound bound = Bind({.parameters = {"start", "stop", "step"}, .required = 1});
    Sweep sweep;
    sweep.kind = Sweep::Kind::kRange;
    sweep.start = Number(*bound.Get("start"), "start", true);
    const Argument* stop = bound.Get("stop");
    if (stop == nullptr || (stop->item.node && stop->item.node->IsNull())) {
      sweep.stop = sweep.start;
      sweep.start = Node::Int(0);
    } else {
      sweep.stop = Number(*stop, "stop", true);
    }
    const Argument* step = bound.Get("step");
    sweep.step = step != nullptr ? Number(*step, "step", true) : Node::Int(1);
    NormalizeRange(sweep, step != nullptr ? step->item.position : position_);
    return SweepItem(std::move(sweep), position_);
  }

  // interval(start, end): a continuous interval
  Item Interval() const {
    Bound bound = Bind({.parameters = {"start", "end"}, .required = 2});
    Sweep sweep;
    sweep.kind = Sweep::Kind::kInterval;
    sweep.interval_start = Number(*bound.Get("start"), "start", false).AsDouble();
    sweep.interval_end = Number(*bound.Get("end"), "end", false).AsDouble();
    return SweepItem(std::move(sweep), position_);
  }

  // a glob pattern argument: a string or a list of strings
  std::vector<std::string> Patterns(const Argument& argument, std::string_view name) const {
    const Item& item = argument.item;
    auto wrong = [&](const std::string& got) {
      Fail(item.position,
           fmt::format("argument '{}' must be a string or a list of strings, got {}", name, got));
    };
    if (item.sweep) wrong(DescribeItem(item));
    if (item.node->IsString()) return {item.node->AsString()};
    if (!item.node->IsList()) wrong(TypeName(item.node->type()));
    std::vector<std::string> patterns;
    for (const Node& pattern : item.node->AsList()) {
      if (!pattern.IsString()) wrong(fmt::format("a list holding {}", TypeName(pattern.type())));
      patterns.push_back(pattern.AsString());
    }
    return patterns;
  }

  // glob(include, exclude=[]): the options of a config group matching the patterns
  Item Glob() const {
    Bound bound = Bind({.parameters = {"include", "exclude"}, .required = 1});
    Sweep sweep;
    sweep.kind = Sweep::Kind::kGlob;
    sweep.include = Patterns(*bound.Get("include"), "include");
    const Argument* exclude = bound.Get("exclude");
    if (exclude != nullptr && !(exclude->item.node && exclude->item.node->IsNull())) {
      sweep.exclude = Patterns(*exclude, "exclude");
    }
    return SweepItem(std::move(sweep), position_);
  }

  // a stable sort in Python's order, reversed on request
  void SortNodes(Node::List& items, bool reverse) const {
    try {
      std::stable_sort(items.begin(), items.end(), [reverse](const Node& a, const Node& b) {
        return reverse ? CompareValues(b, a) < 0 : CompareValues(a, b) < 0;
      });
    } catch (const Unorderable& error) {
      if (error.left == error.right) {
        Fail(position_, fmt::format("cannot sort {} values", error.left));
      }
      Fail(position_,
           fmt::format("cannot sort a mix of {} and {} values", error.left, error.right));
    }
  }

  // sorting a sweep: choices are sorted now, ranges and globs when they are expanded
  Item SortSweep(Sweep sweep, size_t position, bool reverse) const {
    switch (sweep.kind) {
      case Sweep::Kind::kChoice:
        SortNodes(sweep.items, reverse);
        break;
      case Sweep::Kind::kRange:
      case Sweep::Kind::kGlob:
        sweep.sort = true;
        sweep.sort_reverse = reverse;
        break;
      case Sweep::Kind::kInterval:
        Fail(position, "an interval sweep cannot be sorted");
    }
    return SweepItem(std::move(sweep), position_);
  }

  // sort([...]) and sort(list=[...]): a sorted list value
  Item SortList(const Argument& argument, bool reverse) const {
    if (argument.item.sweep || !argument.item.node->IsList()) {
      Fail(argument.item.position,
           fmt::format("argument 'list' must be a list, got {}", DescribeItem(argument.item)));
    }
    Node sorted = *argument.item.node;
    SortNodes(sorted.MutableList(), reverse);
    return NodeItem(std::move(sorted), position_);
  }

  // sort(x, reverse=false): a sorted list, choice, range or glob
  Item Sort() const {
    Bound bound = Bind({.variadic = true, .keyword_only = {"sweep", "list", "reverse"}});
    bool reverse = false;
    if (const Argument* argument = bound.Get("reverse")) {
      if (argument->item.sweep || !argument->item.node->IsBool()) {
        Fail(argument->item.position, fmt::format("argument 'reverse' must be a bool, got {}",
                                                  DescribeItem(argument->item)));
      }
      reverse = argument->item.node->AsBool();
    }
    if (const Argument* argument = bound.Get("list")) return SortList(*argument, reverse);
    if (const Argument* argument = bound.Get("sweep")) {
      if (!argument->item.sweep) {
        Fail(argument->item.position,
             fmt::format("argument 'sweep' must be a sweep, got {}", DescribeItem(argument->item)));
      }
      return SortSweep(*argument->item.sweep, argument->item.position, reverse);
    }
    const auto& arguments = bound.variadic;
    if (arguments.empty()) Fail(position_, "empty sort input");
    if (arguments.size() == 1) {
      const Item& item = arguments[0]->item;
      if (item.sweep) return SortSweep(*item.sweep, item.position, reverse);
      if (item.node->IsList()) return SortList(*arguments[0], reverse);
      return NodeItem(*item.node, position_);
    }
    for (const Argument* argument : arguments) {
      const Item& item = argument->item;
      if (item.sweep || !(item.node->IsBool() || item.node->IsNumber() || item.node->IsString())) {
        Fail(item.position,
             fmt::format("sort() of several values takes primitives, got {}", DescribeItem(item)));
      }
    }
    return SortSweep(SimpleChoice(arguments), position_, reverse);
  }

  // shuffling a sweep is left to its expansion (quirk Q12: seeded there)
  Item ShuffleSweep(Sweep sweep, size_t position) const {
    if (sweep.kind == Sweep::Kind::kInterval) {
      Fail(position, "an interval sweep cannot be shuffled");
    }
    sweep.shuffle = true;
    return SweepItem(std::move(sweep), position_);
  }

  // a list value would be shuffled now, outside any seed
  [[noreturn]] void ListShuffle(size_t position) const {
    Fail(position, "shuffling a list value is not supported: it would not be reproducible",
         "Shuffle a sweep instead, e.g. shuffle(a,b,c); its order then follows the sweep seed");
  }

  // shuffle(x): a sweep whose expansion is shuffled with the plan's seeded generator
  Item Shuffle() const {
    Bound bound = Bind({.variadic = true, .keyword_only = {"sweep", "list"}});
    if (const Argument* argument = bound.Get("list")) ListShuffle(argument->item.position);
    if (const Argument* argument = bound.Get("sweep")) {
      if (!argument->item.sweep) {
        Fail(argument->item.position,
             fmt::format("argument 'sweep' must be a sweep, got {}", DescribeItem(argument->item)));
      }
      return ShuffleSweep(*argument->item.sweep, argument->item.position);
    }
    const auto& arguments = bound.variadic;
    if (arguments.empty()) Fail(position_, "empty shuffle input");
    if (arguments.size() == 1) {
      const Item& item = arguments[0]->item;
      if (item.sweep) return ShuffleSweep(*item.sweep, item.position);
      if (item.node->IsList()) ListShuffle(item.position);
      return NodeItem(Node::MakeList({*item.node}), position_);
    }
    Sweep sweep = SimpleChoice(arguments);
    sweep.shuffle = true;
    return SweepItem(std::move(sweep), position_);
  }

  // tag(t1, ..., sweep): attaches string tags to a sweep
  Item Tag() const {
    Bound bound = Bind({.variadic = true, .keyword_only = {"sweep"}});
    std::vector<const Argument*> arguments = bound.variadic;
    if (const Argument* sweep = bound.Get("sweep")) arguments.push_back(sweep);
    if (arguments.empty()) {
      Fail(position_, "not enough arguments to tag, must take at least a sweep");
    }
    const Item& last = arguments.back()->item;
    if (!last.sweep) {
      Fail(last.position,
           fmt::format("last argument to tag() must be a choice(), range() or interval(), got {}",
                       DescribeItem(last)));
    }
    Sweep sweep = *last.sweep;
    for (size_t index = 0; index + 1 < arguments.size(); ++index) {
      const Item& item = arguments[index]->item;
      if (item.sweep || !item.node->IsString()) {
        Fail(item.position,
             fmt::format("tag arguments must be strings, got {}", DescribeItem(item)));
      }
      const std::string& tag = item.node->AsString();
      if (std::find(sweep.tags.begin(), sweep.tags.end(), tag) == sweep.tags.end()) {
        sweep.tags.push_back(tag);
      }
    }
    return SweepItem(std::move(sweep), position_);
  }

  // int(x) float(x) str(x) bool(x), with Python's conversions
  Node CastScalar(CastKind kind, const Node& value) const {
    const char* target = kind == CastKind::kInt     ? "int"
                         : kind == CastKind::kFloat ? "float"
                         : kind == CastKind::kStr   ? "str"
                                                    : "bool";
    if (value.IsNull() || value.IsMissing()) {
      if (kind == CastKind::kBool) return Node::Bool(false);
      Fail(position_, fmt::format("cannot cast null to {}", target));
    }
    switch (kind) {
      case CastKind::kInt:
        if (value.IsBool()) return Node::Int(value.AsBool() ? 1 : 0);
        if (value.IsInt()) return value;
        if (value.IsFloat()) return Node::Int(TruncateToInt(value.AsDouble()));
        {
          int64_t parsed = 0;
          NumberStatus status = PythonInt(value.AsString(), parsed);
          if (status == NumberStatus::kOutOfRange) {
            Fail(position_,
                 fmt::format("integer '{}' is out of the 64-bit range", value.AsString()));
          }
          if (status == NumberStatus::kInvalid) {
            Fail(position_,
                 fmt::format("invalid literal for int() with base 10: '{}'", value.AsString()));
          }
          return Node::Int(parsed);
        }
      case CastKind::kFloat:
        if (value.IsBool()) return Node::Float(value.AsBool() ? 1.0 : 0.0);
        if (value.IsNumber()) return Node::Float(value.AsDouble());
        if (auto parsed = PythonFloat(value.AsString())) return Node::Float(*parsed);
        Fail(position_, fmt::format("could not convert string to float: '{}'", value.AsString()));
      case CastKind::kStr:
        if (value.IsBool()) return Node::String(value.AsBool() ? "true" : "false");
        if (value.IsInt()) return Node::String(std::to_string(value.AsInt()));
        if (value.IsFloat()) return Node::String(PythonFloatRepr(value.AsDouble()));
        return value;
      case CastKind::kBool:
        if (value.IsBool()) return value;
        if (value.IsInt()) return Node::Bool(value.AsInt() != 0);
        if (value.IsFloat()) return Node::Bool(value.AsDouble() != 0.0);
        {
          std::string lower = ToLower(value.AsString());
          if (lower == "true") return Node::Bool(true);
          if (lower == "false") return Node::Bool(false);
          Fail(position_, fmt::format("cannot cast '{}' to bool", value.AsString()));
        }
    }
    return value;
  }

  // Python's int(float): truncation toward zero, within 64 bits
  int64_t TruncateToInt(double value) const {
    if (std::isnan(value)) Fail(position_, "cannot convert float NaN to integer");
    if (std::isinf(value)) Fail(position_, "cannot convert float infinity to integer");
    double truncated = std::trunc(value);
    if (truncated < -9223372036854775808.0 || truncated >= 9223372036854775808.0) {
      Fail(position_,
           fmt::format("float {} is out of the 64-bit integer range", PythonFloatRepr(value)));
    }
    return static_cast<int64_t>(truncated);
  }

  // casts go into lists, dict values and sweeps
  Node CastNode(CastKind kind, const Node& value) const {
    if (value.IsList()) {
      Node::List items;
      for (const Node& item : value.AsList()) items.push_back(CastNode(kind, item));
      return Node::MakeList(std::move(items));
    }
    if (value.IsMap()) {
      Node map = Node::MakeMap();
      for (const auto& entry : value.Entries()) map.Set(entry.key, CastNode(kind, entry.value));
      return map;
    }
    return CastScalar(kind, value);
  }

  // casts of a sweep: choice items, range bounds, interval bounds
  Sweep CastSweep(CastKind kind, Sweep sweep) const {
    switch (sweep.kind) {
      case Sweep::Kind::kChoice:
        for (Node& item : sweep.items) item = CastNode(kind, item);
        break;
      case Sweep::Kind::kRange:
        if (kind != CastKind::kInt && kind != CastKind::kFloat) {
          Fail(position_, "range can only be cast to int or float");
        }
        sweep.start = CastScalar(kind, sweep.start);
        sweep.stop = CastScalar(kind, sweep.stop);
        sweep.step = CastScalar(kind, sweep.step);
        NormalizeRange(sweep, position_);
        break;
      case Sweep::Kind::kInterval:
        if (kind == CastKind::kStr) Fail(position_, "intervals cannot be cast to str");
        if (kind == CastKind::kBool) Fail(position_, "intervals cannot be cast to bool");
        if (kind == CastKind::kInt) {
          sweep.interval_start = static_cast<double>(TruncateToInt(sweep.interval_start));
          sweep.interval_end = static_cast<double>(TruncateToInt(sweep.interval_end));
        }
        break;
      case Sweep::Kind::kGlob:
        Fail(position_, "a glob sweep cannot be cast");
    }
    return sweep;
  }

  // a cast of one value, of several (a simple sweep), or of value=...
  Item Cast(CastKind kind) const {
    Bound bound = Bind({.variadic = true, .keyword_only = {"value"}});
    const Argument* value = bound.Get("value");
    if (value != nullptr && !bound.variadic.empty()) {
      Fail(position_, "cannot use both position and named arguments");
    }
    Item input;
    if (value != nullptr) {
      input = value->item;
    } else if (bound.variadic.empty()) {
      Fail(position_, "no positional args or value specified");
    } else if (bound.variadic.size() == 1) {
      input = bound.variadic[0]->item;
    } else {
      input = SweepItem(SimpleChoice(bound.variadic), position_);
    }
    if (input.sweep) return SweepItem(CastSweep(kind, *input.sweep), position_);
    return NodeItem(CastNode(kind, *input.node), position_);
  }

  std::string name_;
  std::string text_;
  size_t position_;
  std::vector<Argument> arguments_;
};

//----- parser (value mode)

// where an element is being parsed, for messages and for the closer that is missing at the end
struct Context {
  const char* name;
  char closer;
};
constexpr Context kInValue{"value", '\0'};
constexpr Context kInList{"list", ']'};
constexpr Context kInDict{"dict", '}'};
constexpr Context kInCall{"function call", ')'};

// recursive descent over the tokens of the value: element | element (',' element)+
class Parser {
 public:
  Parser(std::string_view text, size_t value_begin) : text_(text), lexer_(text, value_begin) {}

  Item ParseValue() {
    if (Peek().kind == TokenKind::kEnd) return NodeItem(Node::String(""), text_.size());
    Item first = ParseElement(kInValue);
    if (Peek().kind != TokenKind::kComma) {
      ExpectEnd();
      return first;
    }
    // a simple sweep: a,b,c
    std::vector<Item> elements;
    elements.push_back(std::move(first));
    while (Peek().kind == TokenKind::kComma) {
      Take();
      elements.push_back(ParseElement(kInValue));
    }
    ExpectEnd();
    Sweep sweep;
    sweep.kind = Sweep::Kind::kChoice;
    sweep.simple_form = true;
    for (Item& element : elements) {
      if (element.sweep) {
        Fail(element.position, "a sweep cannot be an element of a simple sweep (a,b,c)",
             "Use one sweep per override");
      }
      sweep.items.push_back(std::move(*element.node));
    }
    return SweepItem(std::move(sweep), elements.front().position);
  }

 private:
  // the next tokens, lexed on demand
  const Token& Peek(size_t ahead = 0) {
    while (lookahead_.size() <= ahead) {
      if (!lookahead_.empty() && lookahead_.back().kind == TokenKind::kEnd) {
        return lookahead_.back();
      }
      lookahead_.push_back(lexer_.Next());
    }
    return lookahead_[ahead];
  }

  // consumes a token (the end stays)
  Token Take() {
    Token token = Peek();
    if (token.kind != TokenKind::kEnd) lookahead_.pop_front();
    previous_ = token;
    return token;
  }

  std::string_view TextOf(const Token& token) const {
    return text_.substr(token.begin, token.end - token.begin);
  }

  // a token that cannot come here
  [[noreturn]] void Unexpected(const Token& token, Context context) {
    switch (token.kind) {
      case TokenKind::kEnd:
        if (context.closer != '\0') {
          Fail(token.mark, fmt::format("unexpected end of override, missing '{}'", context.closer));
        }
        Fail(token.mark, "unexpected end of override");
      case TokenKind::kQuoted:
        Fail(token.mark, fmt::format("unexpected quote in {}", context.name),
             "A quoted string must be a whole element: put all of it inside the quotes");
      case TokenKind::kEqual:
        Fail(token.mark, fmt::format("unexpected '=' in {}", context.name),
             "Quote the value, or escape the '=' as '\\='");
      case TokenKind::kParenOpen:
        Fail(token.mark, fmt::format("unexpected '(' in {}", context.name),
             "Function calls are name(args) at the start of an element; quote the value or "
             "escape the '(' as '\\('");
      default:
        Fail(token.mark, fmt::format("unexpected '{}' in {}", text_[token.mark], context.name));
    }
  }

  // nothing may follow the value
  void ExpectEnd() {
    const Token& token = Peek();
    if (token.kind != TokenKind::kEnd) Unexpected(token, kInValue);
  }

  // element: list | dict | quoted | call | primitive
  Item ParseElement(Context context) {
    Token token = Peek();
    switch (token.kind) {
      case TokenKind::kBracketOpen:
        return ParseList();
      case TokenKind::kBraceOpen:
        return ParseDict();
      case TokenKind::kQuoted:
        return ParseQuoted();
      case TokenKind::kId:
        if (Peek(1).kind == TokenKind::kParenOpen) return ParseCall();
        return ParsePrimitive();
      default:
        break;
    }
    if (IsPrimitiveKind(token.kind)) return ParsePrimitive();
    MissingElement(token, context);
    Unexpected(token, context);
  }

  // a comma or closer where an element should be: leading, doubled or trailing commas
  void MissingElement(const Token& token, Context context) {
    if (token.kind == TokenKind::kComma) {
      if (previous_.kind == TokenKind::kComma) {
        Fail(token.mark, fmt::format("doubled ',' in {}", context.name), "Remove one comma");
      }
      Fail(token.mark, fmt::format("unexpected ',' in {}", context.name));
    }
    bool end_after_comma = token.kind == TokenKind::kEnd && context.closer == '\0';
    if (previous_.kind == TokenKind::kComma && (end_after_comma || IsCloser(token.kind))) {
      Fail(previous_.mark, fmt::format("trailing ',' in {}", context.name),
           "Remove the comma at the end");
    }
  }

  // the text of a run of primitive tokens without its outer whitespace, escapes resolved
  std::string Joined(const std::vector<Token>& tokens) const {
    size_t first = 0;
    size_t last = tokens.size();
    while (first < last && tokens[first].kind == TokenKind::kWhitespace) ++first;
    while (last > first && tokens[last - 1].kind == TokenKind::kWhitespace) --last;
    std::string joined;
    for (size_t index = first; index < last; ++index) {
      std::string_view text = TextOf(tokens[index]);
      joined += tokens[index].kind == TokenKind::kEscape ? Unescape(text) : std::string(text);
    }
    return joined;
  }

  // a run of unquoted tokens: one token is typed, several concatenate into a string
  Item ParsePrimitive() {
    std::vector<Token> tokens;
    while (IsPrimitiveKind(Peek().kind)) tokens.push_back(Take());
    std::vector<Token> words;
    for (const Token& token : tokens) {
      if (token.kind != TokenKind::kWhitespace) words.push_back(token);
    }
    if (words.empty()) Fail(tokens.front().mark, "empty value");
    // one token after trimming is typed; several are one string
    if (words.size() == 1) return NodeItem(Infer(words.front()), words.front().mark);
    return NodeItem(Node::String(Joined(tokens)), words.front().mark);
  }

  // the type of a single-token primitive
  Node Infer(const Token& token) const {
    std::string_view text = TextOf(token);
    switch (token.kind) {
      case TokenKind::kInt: {
        std::string digits;
        for (char c : text) {
          if (c != '_' && c != '+') digits += c;
        }
        int64_t value = 0;
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (error != std::errc()) {
          Fail(token.mark, fmt::format("integer {} is out of the 64-bit range", text),
               "Quote it to keep it as a string");
        }
        return Node::Int(value);
      }
      case TokenKind::kFloat:
        return Node::Float(*PythonFloat(text));
      case TokenKind::kBool:
        return Node::Bool(Lower(text[0]) == 't');
      case TokenKind::kNull:
        return Node::Null();
      case TokenKind::kEscape:
        return Node::String(Unescape(text));
      default:
        return Node::String(std::string(text));
    }
  }

  // a quoted string is a whole element
  Item ParseQuoted() {
    Token token = Take();
    Item item = NodeItem(Node::String(Unquote(TextOf(token))), token.mark);
    const Token& next = Peek();
    if (IsPrimitiveKind(next.kind) || next.kind == TokenKind::kQuoted) {
      Fail(next.mark, "unexpected text after a quoted string",
           "A quoted string must be a whole element: put all of it inside the quotes");
    }
    return item;
  }

  // lists and dicts hold elements, never sweeps
  Node ListItem(Item item) {
    if (item.sweep) {
      Fail(item.position, "a sweep cannot be nested in a list or dict",
           "Sweep over whole values instead: key=[1,2],[3,4]");
    }
    return std::move(*item.node);
  }

  // [a, b, ...]
  Item ParseList() {
    Token open = Take();
    Node::List items;
    if (Peek().kind == TokenKind::kBracketClose) {
      Take();
      return NodeItem(Node::MakeList(), open.mark);
    }
    while (true) {
      items.push_back(ListItem(ParseElement(kInList)));
      Token next = Peek();
      if (next.kind == TokenKind::kComma) {
        Take();
      } else if (next.kind == TokenKind::kBracketClose) {
        Take();
        break;
      } else {
        Unexpected(next, kInList);
      }
    }
    return NodeItem(Node::MakeList(std::move(items)), open.mark);
  }

  // an unquoted dict key: primitive tokens without ':' or interpolations, kept as text
  std::string ParseDictKey() {
    Token token = Peek();
    if (token.kind == TokenKind::kQuoted) {
      Fail(token.mark, "dict keys cannot be quoted",
           "Write the key unquoted; escape special characters with a backslash (a\\ b)");
    }
    if (token.kind == TokenKind::kInterpolation) {
      Fail(token.mark, "dict keys cannot be interpolations");
    }
    if (token.kind == TokenKind::kColon) Fail(token.mark, "empty dict key");
    if (!IsDictKeyKind(token.kind)) {
      MissingElement(token, kInDict);
      Unexpected(token, kInDict);
    }
    std::vector<Token> tokens;
    while (IsDictKeyKind(Peek().kind)) tokens.push_back(Take());
    return Joined(tokens);
  }

  // {key: value, ...}
  Item ParseDict() {
    Token open = Take();
    Node map = Node::MakeMap();
    if (Peek().kind == TokenKind::kBraceClose) {
      Take();
      return NodeItem(std::move(map), open.mark);
    }
    while (true) {
      std::string key = ParseDictKey();
      Token colon = Peek();
      if (colon.kind == TokenKind::kInterpolation) {
        Fail(colon.mark, "dict keys cannot contain interpolations");
      }
      if (colon.kind == TokenKind::kQuoted) Fail(colon.mark, "dict keys cannot be quoted");
      if (colon.kind == TokenKind::kEnd) Unexpected(colon, kInDict);
      if (colon.kind != TokenKind::kColon) {
        Fail(colon.mark, fmt::format("expected ':' after dict key '{}'", key));
      }
      Take();
      map.Set(std::move(key), ListItem(ParseElement(kInDict)));
      Token next = Peek();
      if (next.kind == TokenKind::kComma) {
        Take();
      } else if (next.kind == TokenKind::kBraceClose) {
        Take();
        break;
      } else {
        Unexpected(next, kInDict);
      }
    }
    return NodeItem(std::move(map), open.mark);
  }

  // name(arg, name=arg, ...), evaluated as soon as it is parsed
  Item ParseCall() {
    Token name = Take();
    Take();
    std::vector<Argument> arguments;
    size_t misplaced_positional = kNone;
    bool seen_named = false;
    if (Peek().kind == TokenKind::kParenClose) {
      Take();
    } else {
      while (true) {
        Argument argument;
        if (Peek().kind == TokenKind::kId && Peek(1).kind == TokenKind::kEqual) {
          Token argument_name = Take();
          Take();
          argument.name = std::string(TextOf(argument_name));
          argument.name_position = argument_name.mark;
          seen_named = true;
        } else if (seen_named && misplaced_positional == kNone) {
          misplaced_positional = Peek().mark;
        }
        argument.item = ParseElement(kInCall);
        arguments.push_back(std::move(argument));
        Token next = Peek();
        if (next.kind == TokenKind::kComma) {
          Take();
        } else if (next.kind == TokenKind::kParenClose) {
          Take();
          break;
        } else {
          Unexpected(next, kInCall);
        }
      }
    }
    std::string call_text(text_.substr(name.begin, previous_.end - name.begin));
    if (misplaced_positional != kNone) {
      throw ParseFailure{misplaced_positional,
                         fmt::format("cannot evaluate '{}': positional argument follows keyword "
                                     "argument",
                                     call_text),
                         {},
                         {}};
    }
    Call call(std::string(TextOf(name)), std::move(call_text), name.mark, std::move(arguments));
    return call.Evaluate();
  }

  std::string_view text_;
  Lexer lexer_;
  std::deque<Token> lookahead_;
  Token previous_;
};

//----- key mode

// a key-mode character that cannot appear where it is
[[noreturn]] void BadKeyChar(std::string_view text, size_t position, std::string_view what) {
  char c = text[position];
  if (IsBlank(c)) {
    Fail(position, fmt::format("unexpected whitespace in {}", what),
         "Whitespace is only allowed in the value (after '=')");
  }
  if (c == '\'' || c == '"') Fail(position, fmt::format("unexpected quote in {}", what));
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80 || byte < 0x20 || byte == 0x7F) {
    Fail(position, fmt::format("{} in {}", DescribeChar(text, position), what));
  }
  Fail(position, fmt::format("unexpected '{}' in {}", c, what));
}

// a dotted key (`a.b.0`), a group path (`a/b/c`) or a package starting at `begin`; returns where
// it ends (at '=', '@' for a key, or the end of the text); an empty path returns `begin`
size_t ScanPath(std::string_view text, size_t begin, bool is_key) {
  std::string_view what = is_key ? "key" : "package";
  auto is_end = [&](size_t index) {
    return index >= text.size() || text[index] == '=' || (is_key && text[index] == '@');
  };
  auto is_separator = [&](size_t index) {
    return index < text.size() && (text[index] == '.' || text[index] == '/');
  };
  std::vector<std::pair<size_t, size_t>> segments;
  size_t first_dot = kNone;
  size_t first_slash = kNone;
  size_t index = begin;
  while (true) {
    size_t start = index;
    while (index < text.size() && IsKeyChar(text[index])) ++index;
    if (index == start) {
      // an empty segment: empty path, leading/doubled/trailing separator, or a bad character
      if (segments.empty()) {
        if (is_end(index)) return index;
        if (is_separator(index)) {
          Fail(index, fmt::format("{} cannot start with '{}'", what, text[index]));
        }
        BadKeyChar(text, index, what);
      }
      if (is_separator(index)) {
        Fail(index,
             fmt::format("empty segment in {} ('{}{}')", what, text[index - 1], text[index]));
      }
      if (!is_end(index)) BadKeyChar(text, index, what);
      Fail(index - 1, fmt::format("{} cannot end with '{}'", what, text[index - 1]));
    }
    // a segment is a name or a list index
    std::string_view segment = text.substr(start, index - start);
    if (IsDigit(segment[0])) {
      bool all_digits = std::all_of(segment.begin(), segment.end(), IsDigit);
      if (!all_digits || (segment.size() > 1 && segment[0] == '0')) {
        Fail(start, fmt::format("invalid {} segment '{}'", what, segment),
             "A segment is a name ([A-Za-z_$][A-Za-z0-9_$-]*) or a list index (0, 1, ...)");
      }
    } else if (segment[0] == '-') {
      Fail(start, fmt::format("invalid {} segment '{}'", what, segment),
           "A name starts with a letter, '_' or '$'");
    }
    segments.emplace_back(start, index);
    if (!is_separator(index)) break;
    size_t& first = text[index] == '.' ? first_dot : first_slash;
    if (first == kNone) first = index;
    ++index;
  }
  if (!is_end(index)) BadKeyChar(text, index, what);
  // a group path: names joined by '/'
  if (first_slash != kNone) {
    if (!is_key) Fail(first_slash, "'/' in a package", "Packages are dotted paths (a.b)");
    if (first_dot != kNone) {
      Fail(first_dot, "'.' in a config group path", "Group paths use '/' only (a/b/c)");
    }
    for (const auto& [start, end] : segments) {
      std::string_view segment = text.substr(start, end - start);
      if (IsDigit(segment[0])) {
        Fail(start, fmt::format("invalid group path segment '{}'", segment),
             "Group names start with a letter or '_'");
      }
      size_t dollar = segment.find('$');
      if (dollar != kNone) Fail(start + dollar, "'$' in a config group path");
    }
  }
  if (segments.size() == 1 && IsDigit(text[segments[0].first])) {
    Fail(begin,
         fmt::format("{} '{}' is a bare list index", what, text.substr(begin, index - begin)),
         "Index a list through its key (list.0)");
  }
  return index;
}

// parses the prefix, key and package into `result`; returns where the value starts, or kNone
// for `~key` without '='
size_t ParseKeyPart(std::string_view text, Override& result) {
  size_t index = 0;
  if (text.substr(0, 2) == "++") {
    result.type = OverrideType::kForceAdd;
    index = 2;
  } else if (text.substr(0, 1) == "+") {
    result.type = OverrideType::kAdd;
    index = 1;
  } else if (text.substr(0, 1) == "~") {
    result.type = OverrideType::kDelete;
    index = 1;
  }
  // the key (quirk Q1: never empty)
  size_t key_end = ScanPath(text, index, true);
  if (key_end == index) {
    Fail(index, "empty key",
         result.type == OverrideType::kDelete ? "Write ~key or ~key=value" : "Write key=value");
  }
  result.key = std::string(text.substr(index, key_end - index));
  index = key_end;
  // the package, possibly empty (the global package)
  if (index < text.size() && text[index] == '@') {
    size_t package_end = ScanPath(text, index + 1, false);
    result.package = std::string(text.substr(index + 1, package_end - index - 1));
    index = package_end;
  }
  if (index >= text.size()) {
    if (result.type == OverrideType::kDelete) return kNone;
    Fail(text.size(), "missing '=' after the key", "Write key=value (or ~key to delete it)");
  }
  index += 1;
  while (index < text.size() && IsBlank(text[index])) ++index;
  return index;
}

// spaces (tabs where the text has tabs) up to `position`, then '^'; counts UTF-8 characters
std::string CaretLine(std::string_view text, size_t position) {
  std::string line;
  for (size_t index = 0; index < position && index < text.size(); ++index) {
    auto byte = static_cast<unsigned char>(text[index]);
    if ((byte & 0xC0) == 0x80) continue;
    line += text[index] == '\t' ? '\t' : ' ';
  }
  return line + '^';
}

// the override on one line (line breaks shown as spaces so that the caret lines up)
std::string OneLine(std::string_view text) {
  std::string line(text);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

}  // namespace

Override ParseOverride(std::string_view text, int index) {
  Override result;
  result.text = std::string(text);
  result.index = index;
  try {
    size_t value_begin = ParseKeyPart(text, result);
    if (value_begin != kNone) {
      Parser parser(text, value_begin);
      Item item = parser.ParseValue();
      Origin origin = result.MakeOrigin();
      if (item.sweep) {
        Sweep& sweep = *item.sweep;
        for (Node& node : sweep.items) node.SetOriginRecursive(origin);
        for (Node* bound : {&sweep.start, &sweep.stop, &sweep.step}) bound->set_origin(origin);
        result.sweep = std::move(sweep);
      } else {
        item.node->SetOriginRecursive(origin);
        result.value = std::move(*item.node);
      }
    }
  } catch (const ParseFailure& failure) {
    Diagnostic diagnostic;
    diagnostic.origin = result.MakeOrigin();
    diagnostic.key = result.key;
    diagnostic.kind = "parse";
    diagnostic.message = failure.message;
    diagnostic.suggestion = failure.suggestion;
    diagnostic.candidates = failure.candidates;
    diagnostic.details = {OneLine(text), CaretLine(text, failure.position)};
    Diagnostics diagnostics;
    diagnostics.Add(std::move(diagnostic));
    throw ConfigError(std::move(diagnostics));
  }
  return result;
}

}  // namespace orch::config
