#include "http/json_api.h"

#include <charconv>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace yiwang::http {
namespace {

constexpr std::size_t kMaxJsonBody = 1024 * 1024;
constexpr int kMaxDepth = 64;

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_json_media_type(std::string_view content_type) {
  std::string type = lower_trimmed(content_type.substr(0, content_type.find(';')));
  if (type == "application/json") return true;
  constexpr std::string_view prefix = "application/", suffix = "+json";
  return type.size() > prefix.size() + suffix.size() && type.starts_with(prefix) &&
         type.ends_with(suffix);
}

// nlohmann's parser is iterative, but everything that walks the result (dump, comparisons,
// handlers) recurses: refuse deep nesting before parsing. Returns the offending byte offset.
std::optional<std::size_t> too_deep(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::nullopt;
}

// JSON pointer escaping (RFC 6901) of one reference token.
std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out.push_back(c);
  }
  return out;
}

// Finds the first member name repeated within one object while the parser reads (RFC 8259 leaves
// duplicates to the implementation; nlohmann keeps the last, so a body could say one thing to a
// reader that keeps the first). Feed it every parser event; `duplicate` is the member's pointer.
class DuplicateKeys {
 public:
  void on(Json::parse_event_t event, const Json& parsed) {
    using E = Json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        frames_.push_back(Frame{event == E::array_start, {}, {}, 0});
        break;
      case E::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second && !duplicate) duplicate = path();
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        next_element();
        break;
      case E::value:
        next_element();
        break;
    }
  }
  std::optional<std::string> duplicate;

 private:
  struct Frame {
    bool array;
    std::set<std::string, std::less<>> keys;
    std::string key;    // the member being read, in an object
    std::size_t index;  // the element being read, in an array
  };
  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::string path() const {
    std::string out;
    for (const auto& f : frames_) {
      out += '/';
      out += f.array ? std::to_string(f.index) : pointer_token(f.key);
    }
    return out;
  }
  std::vector<Frame> frames_;
};

Result<int> query_int(const Request& request, const char* name, int fallback, int min, int max) {
  auto text = request.query_param(name);
  if (!text) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || value < min ||
      value > max) {
    std::string range = std::to_string(min) + ".." + std::to_string(max);
    return fail(ErrorCode::invalid_input, name,
                std::string(name) + " 须为 " + range + " 之间的整数",
                std::string(name) + " must be an integer in " + range);
  }
  return value;
}

}  // namespace

Response json_response(int status, const Json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response ok(const Json& body) {
  return json_response(200, body);
}

Response created(const Json& body, std::string location) {
  Response r = json_response(201, body);
  if (!location.empty()) r.headers.emplace_back("Location", std::move(location));
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Result<Json> parse_object(const Request& request) {
  auto content_type = request.header("content-type");
  if (!is_json_media_type(content_type)) {
    return fail(ErrorCode::unsupported_media, "",
                "请求内容须为 JSON（Content-Type: application/json）",
                "the request body must be JSON (Content-Type: application/json), not '" +
                    content_type + "'");
  }
  if (request.body.size() > kMaxJsonBody) {
    return fail(ErrorCode::too_large, "", "JSON 请求内容不得超过 1 MiB",
                "a JSON request body may not exceed 1 MiB");
  }
  if (auto at = too_deep(request.body)) {
    return fail(ErrorCode::invalid_input, "",
                "JSON 嵌套过深（第 " + std::to_string(*at) + " 字节）",
                "JSON nested more than " + std::to_string(kMaxDepth) + " levels deep at byte " +
                    std::to_string(*at));
  }
  Json doc;
  DuplicateKeys duplicates;
  try {
    doc = Json::parse(request.body, [&duplicates](int, Json::parse_event_t event, Json& parsed) {
      duplicates.on(event, parsed);
      return true;
    });
  } catch (const Json::parse_error& e) {
    std::string at = std::to_string(e.byte);
    return fail(ErrorCode::invalid_input, "", "JSON 格式错误（第 " + at + " 字节附近）",
                "malformed JSON near byte " + at);
  } catch (const Json::out_of_range&) {
    // A number beyond double's range (1e400): nlohmann reports it as out_of_range, not as a
    // parse error; uncaught, it was a 500 (found by fuzz/json_body_fuzz.cpp).
    return fail(ErrorCode::invalid_input, "", "JSON 数值超出范围", "a JSON number is out of range");
  }
  if (duplicates.duplicate) {
    return fail(ErrorCode::invalid_input, *duplicates.duplicate, "JSON 对象中的成员名重复",
                "a member name appears twice in one JSON object");
  }
  if (!doc.is_object()) {
    return fail(ErrorCode::invalid_input, "", "请求内容须为 JSON 对象",
                std::string("the request body must be a JSON object, not ") + doc.type_name());
  }
  return doc;
}

ObjectReader::ObjectReader(const Json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) {
    set_error(Error{ErrorCode::invalid_input, path_, "须为 JSON 对象", "must be a JSON object"});
  }
}

ObjectReader::ObjectReader(const Request& request) : owned_(Json::object()), object_(*owned_) {
  auto body = parse_object(request);
  if (!body) {
    set_error(body.error());
    return;
  }
  *owned_ = std::move(*body);
}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_ + "/" + pointer_token(key);
}

bool ObjectReader::has(std::string_view key) const {
  return object_.is_object() && object_.find(key) != object_.end();
}

void ObjectReader::set_error(Error e) {
  if (!error_) error_ = std::move(e);
}

const Json* ObjectReader::lookup(std::string_view key) {
  read_.emplace(key);
  if (error_ || !object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string ObjectReader::required_string(std::string_view key, std::size_t max_len) {
  bool had_error = failed();
  auto value = optional_string(key, max_len);
  if (!value && !had_error && !failed()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "缺少必填项", "is required"});
  }
  return value.value_or("");
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key,
                                                         std::size_t max_len) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须为字符串", "must be a string"});
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (core::utf8_length(s) > max_len) {
    set_error(Error{ErrorCode::invalid_input, path_of(key),
                    "不得超过 " + std::to_string(max_len) + " 个字符",
                    "must be at most " + std::to_string(max_len) + " characters"});
    return std::nullopt;
  }
  return s;
}

std::int64_t ObjectReader::required_int(std::string_view key, std::int64_t min, std::int64_t max) {
  bool had_error = failed();
  auto value = optional_int(key, min, max);
  if (!value && !had_error && !failed()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "缺少必填项", "is required"});
  }
  return value.value_or(0);
}

std::optional<std::int64_t> ObjectReader::optional_int(std::string_view key, std::int64_t min,
                                                       std::int64_t max) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  auto out_of_range = [&] {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须在 " + range + " 之间",
                    "must be in " + range});
    return std::nullopt;
  };
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return out_of_range();
    }
  } else if (!v->is_number_integer()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须为整数", "must be an integer"});
    return std::nullopt;
  }
  auto i = v->get<std::int64_t>();
  if (i < min || i > max) return out_of_range();
  return i;
}

std::optional<bool> ObjectReader::optional_bool(std::string_view key) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须为 true 或 false",
                    "must be true or false"});
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<Json> ObjectReader::optional_object(std::string_view key) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须为 JSON 对象", "must be an object"});
    return std::nullopt;
  }
  return *v;
}

std::optional<Json> ObjectReader::optional_array(std::string_view key) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    set_error(Error{ErrorCode::invalid_input, path_of(key), "须为数组", "must be an array"});
    return std::nullopt;
  }
  return *v;
}

std::optional<Json> ObjectReader::optional_any(std::string_view key) {
  const Json* v = lookup(key);
  if (!v) return std::nullopt;
  return *v;
}

Status ObjectReader::finish() {
  if (!error_ && object_.is_object()) {
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      if (read_.find(it.key()) == read_.end()) {
        set_error(
            Error{ErrorCode::invalid_input, path_of(it.key()), "不认识的字段", "unknown field"});
        break;
      }
    }
  }
  if (error_) return fail(*error_);
  return {};
}

Result<Page> page_of(const Request& request, int default_limit, int max_limit) {
  auto limit = query_int(request, "limit", default_limit, 1, max_limit);
  if (!limit) return fail(limit.error());
  auto offset = query_int(request, "offset", 0, 0, std::numeric_limits<int>::max());
  if (!offset) return fail(offset.error());
  return Page{*limit, *offset};
}

Json instant_or_null(const std::optional<core::Millis>& t) {
  return t ? Json(core::format_instant(*t)) : Json(nullptr);
}

Json string_or_null(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? Json(nullptr) : Json(it->second);
}

}  // namespace yiwang::http
