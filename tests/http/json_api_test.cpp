// JSON body parsing, the strict ObjectReader, paging and the response helpers.
#include <limits>
#include <utility>

#include <gtest/gtest.h>

#include "http/json_api.h"

namespace yiwang::http {
namespace {

Request json_request(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.target = r.path = "/api/v1/things";
  if (!content_type.empty()) r.headers["content-type"] = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Request query_request(const std::string& target) {
  Request r;
  r.method = "GET";
  EXPECT_TRUE(set_target(r, target));
  return r;
}

// --- parse_object -----------------------------------------------------------------------------

TEST(ParseObject, AcceptsJsonMediaTypes) {
  for (const char* type :
       {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
        "application/merge-patch+json", "application/problem+json"}) {
    auto doc = parse_object(json_request(R"({"a": 1})", type));
    ASSERT_TRUE(doc) << type;
    EXPECT_EQ(1, (*doc)["a"]);
  }
}

TEST(ParseObject, RejectsOtherMediaTypesWith415) {
  for (const char* type : {"", "text/plain", "application/x-www-form-urlencoded",
                           "application/jsonx", "text/json", "application/+json"}) {
    auto doc = parse_object(json_request(R"({"a": 1})", type));
    ASSERT_FALSE(doc) << type;
    EXPECT_EQ(ErrorCode::unsupported_media, doc.error().code) << type;
    EXPECT_FALSE(doc.error().message_zh.empty());
  }
}

TEST(ParseObject, RejectsBodiesOverOneMebibyte) {
  std::string big = "{\"a\":\"" + std::string(1024 * 1024, 'x') + "\"}";
  auto doc = parse_object(json_request(big));
  ASSERT_FALSE(doc);
  EXPECT_EQ(ErrorCode::too_large, doc.error().code);
}

TEST(ParseObject, MalformedJsonNamesTheBytePosition) {
  auto doc = parse_object(json_request(R"({"item_code": )"));
  ASSERT_FALSE(doc);
  EXPECT_EQ(ErrorCode::invalid_input, doc.error().code);
  EXPECT_EQ("", doc.error().field);
  EXPECT_NE(std::string::npos, doc.error().message_en.find("byte 15")) << doc.error().message_en;

  doc = parse_object(json_request(""));
  ASSERT_FALSE(doc);
  EXPECT_EQ(ErrorCode::invalid_input, doc.error().code);

  doc = parse_object(json_request("{\"a\": \"\xff\"}"));  // not UTF-8
  ASSERT_FALSE(doc);
  EXPECT_EQ(ErrorCode::invalid_input, doc.error().code);
}

TEST(ParseObject, RejectsNonObjects) {
  for (const char* body : {"[1,2]", "42", "\"text\"", "null"}) {
    auto doc = parse_object(json_request(body));
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(ErrorCode::invalid_input, doc.error().code);
    EXPECT_NE(std::string::npos, doc.error().message_en.find("object"));
  }
}

TEST(ParseObject, RejectsDeepNesting) {
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  auto doc = parse_object(json_request(deep));
  ASSERT_FALSE(doc);
  EXPECT_EQ(ErrorCode::invalid_input, doc.error().code);
  // Brackets inside strings do not count.
  auto ok = parse_object(json_request("{\"a\":\"" + std::string(100, '[') + "\\\"\"}"));
  EXPECT_TRUE(ok);
}

// Regression (fuzz/json_body_fuzz.cpp): a number beyond double's range made nlohmann throw
// out_of_range, which parse_object did not catch, so the request ended as a 500.
TEST(ParseObject, NumberOutOfRangeIsInvalidInputNotAnException) {
  for (const char* body : {R"({"n": 1e400})", R"({"limit":1,"n":-1.5e11330100})", "[1e999]"}) {
    Result<Json> doc = fail(ErrorCode::internal, "", "", "");
    ASSERT_NO_THROW(doc = parse_object(json_request(body))) << body;
    ASSERT_FALSE(doc) << body;
    EXPECT_EQ(ErrorCode::invalid_input, doc.error().code) << body;
    ObjectReader reader(json_request(body));
    EXPECT_FALSE(reader.finish()) << body;
  }
}

// --- ObjectReader -----------------------------------------------------------------------------

Json doc(const char* text) {
  return Json::parse(text);
}

TEST(ObjectReader, ReadsEveryKind) {
  Json j = doc(R"({"s": "text", "i": 42, "b": true, "o": {"x": 1}, "a": [1], "any": 1.5,
                   "n": null, "big": -9223372036854775808})");
  ObjectReader r(j);
  EXPECT_EQ("text", r.required_string("s"));
  EXPECT_EQ(42, r.required_int("i", 0, 100));
  EXPECT_EQ(true, r.optional_bool("b"));
  EXPECT_EQ(1, r.optional_object("o").value()["x"]);
  EXPECT_EQ(1u, r.optional_array("a").value().size());
  EXPECT_EQ(1.5, r.optional_any("any").value().get<double>());
  EXPECT_FALSE(r.optional_string("n"));  // null reads as absent
  EXPECT_FALSE(r.optional_int("missing", 0, 1));
  EXPECT_EQ(std::numeric_limits<std::int64_t>::min(),
            r.required_int("big", std::numeric_limits<std::int64_t>::min(), 0));
  EXPECT_TRUE(r.has("s"));
  EXPECT_FALSE(r.has("missing"));
  EXPECT_TRUE(r.finish());
  EXPECT_FALSE(r.failed());
}

void expect_error(ObjectReader& r, const std::string& field) {
  auto st = r.finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(ErrorCode::invalid_input, st.error().code);
  EXPECT_EQ(field, st.error().field);
  EXPECT_FALSE(st.error().message_zh.empty());
  EXPECT_FALSE(st.error().message_en.empty());
}

// A reader over a request's body: the parse failure is its first error, whatever is read after.
TEST(ObjectReader, FromRequestReportsTheBodysParseErrorFirst) {
  {
    ObjectReader r(json_request(R"({"name":"x","age":3})"));
    EXPECT_EQ("x", r.required_string("name"));
    EXPECT_EQ(3, r.required_int("age", 0, 10));
    EXPECT_TRUE(r.finish());
  }
  {
    ObjectReader r(json_request("{not json"));
    EXPECT_TRUE(r.failed());
    EXPECT_EQ("", r.required_string("name"));  // reads return nothing
    auto st = r.finish();
    ASSERT_FALSE(st);
    EXPECT_EQ(ErrorCode::invalid_input, st.error().code);
    EXPECT_EQ(parse_object(json_request("{not json")).error().message_en, st.error().message_en);
  }
  {
    ObjectReader r(json_request(R"({"a":1})", "text/plain"));
    r.required_string("a");
    auto st = r.finish();
    ASSERT_FALSE(st);
    EXPECT_EQ(ErrorCode::unsupported_media, st.error().code);
  }
  {
    ObjectReader r(json_request("[1, 2]"));
    auto st = r.finish();
    ASSERT_FALSE(st);
    EXPECT_EQ(ErrorCode::invalid_input, st.error().code);
  }
}

// RFC 8259 leaves a repeated member name to the implementation; a reader that kept the first
// and one that keeps the last would act on different requests. Refused, naming the member.
TEST(ParseObject, RepeatedMemberNamesAreRefusedWithTheirPointer) {
  const std::pair<const char*, const char*> refused[] = {
      {R"({"a":1,"a":2})", "/a"},
      {R"({"a":1,"b":{"c":1},"a":1})", "/a"},
      {R"({"a":{"b":1,"b":2}})", "/a/b"},
      {R"({"a":[1,{"x":1,"x":2}]})", "/a/1/x"},
      {R"({"a":[[1,2],{"y":1},{"y":1,"y":1}]})", "/a/2/y"},
      {R"({"a~b/c":1,"a~b/c":2})", "/a~0b~1c"},
  };
  for (const auto& [body, field] : refused) {
    auto parsed = parse_object(json_request(body));
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_input) << body;
    EXPECT_EQ(parsed.error().field, field) << body;
    EXPECT_FALSE(parsed.error().message_zh.empty());
    EXPECT_FALSE(parsed.error().message_en.empty());
  }
  for (const char* body : {R"({"a":[{"x":1},{"x":2}]})", R"({"a":{"x":1},"b":{"x":1}})",
                           R"({"a":1,"A":2})", R"({"x":[],"y":{}})"}) {
    EXPECT_TRUE(parse_object(json_request(body))) << body;
  }
  ObjectReader r(json_request(R"({"name":"x","name":"y"})"));
  EXPECT_EQ(r.required_string("name"), "");
  auto st = r.finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().field, "/name");
}

TEST(ObjectReader, RequiredStringMissing) {
  Json j = doc(R"({})");
  ObjectReader r(j);
  EXPECT_EQ("", r.required_string("name"));
  expect_error(r, "/name");
}

TEST(ObjectReader, RequiredStringNull) {
  Json j = doc(R"({"name": null})");
  ObjectReader r(j);
  r.required_string("name");
  expect_error(r, "/name");
}

TEST(ObjectReader, RequiredStringWrongType) {
  Json j = doc(R"({"item_code": 42})");
  ObjectReader r(j);
  r.required_string("item_code");
  expect_error(r, "/item_code");
  EXPECT_NE(std::string::npos, r.error()->message_en.find("string"));
}

TEST(ObjectReader, StringLengthCountsCharacters) {
  Json j = doc(R"({"name": "一二三"})");
  ObjectReader ok(j);
  EXPECT_EQ("一二三", ok.required_string("name", 3));
  EXPECT_TRUE(ok.finish());
  ObjectReader r(j);
  r.required_string("name", 2);
  expect_error(r, "/name");
  ObjectReader o(j);
  EXPECT_FALSE(o.optional_string("name", 2));
  expect_error(o, "/name");
}

TEST(ObjectReader, IntMustBeAnInteger) {
  for (const char* text : {R"({"n": 1.5})", R"({"n": "3"})", R"({"n": true})", R"({"n": 2.0})"}) {
    Json j = doc(text);
    ObjectReader r(j);
    r.required_int("n", 0, 10);
    expect_error(r, "/n");
  }
}

TEST(ObjectReader, IntBounds) {
  Json j = doc(R"({"low": -1, "high": 201, "huge": 18446744073709551615})");
  for (const char* key : {"low", "high"}) {
    ObjectReader r(j);
    r.optional_int(key, 0, 200);
    expect_error(r, std::string("/") + key);
  }
  ObjectReader r(j);
  r.optional_int("huge", 0, std::numeric_limits<std::int64_t>::max());
  expect_error(r, "/huge");
}

TEST(ObjectReader, RequiredIntMissing) {
  Json j = doc(R"({})");
  ObjectReader r(j);
  EXPECT_EQ(0, r.required_int("age", 0, 200));
  expect_error(r, "/age");
}

TEST(ObjectReader, WrongTypesForBoolObjectArray) {
  Json j = doc(R"({"b": "yes", "o": [], "a": {}})");
  {
    ObjectReader r(j);
    r.optional_bool("b");
    expect_error(r, "/b");
  }
  {
    ObjectReader r(j);
    r.optional_object("o");
    expect_error(r, "/o");
  }
  {
    ObjectReader r(j);
    r.optional_array("a");
    expect_error(r, "/a");
  }
}

TEST(ObjectReader, UnknownFieldIsReportedWithItsPath) {
  Json j = doc(R"({"item_code": "x", "form": {"shop_name": "s", "colour": "red"}})");
  ObjectReader r(j);
  r.required_string("item_code");
  auto form = r.optional_object("form");
  ASSERT_TRUE(r.finish());
  ObjectReader f(*form, "/form");
  EXPECT_EQ("s", f.required_string("shop_name"));
  expect_error(f, "/form/colour");
}

TEST(ObjectReader, NestedPathsAndEscaping) {
  Json j = doc(R"({"age": "old", "a/b~c": 1})");
  ObjectReader r(j, "/form");
  EXPECT_EQ("/form/a~1b~0c", r.path_of("a/b~c"));
  r.optional_int("age", 0, 200);
  expect_error(r, "/form/age");
}

TEST(ObjectReader, FirstErrorSticks) {
  Json j = doc(R"({"a": 1, "b": 2})");
  ObjectReader r(j);
  r.required_string("a");
  r.required_string("b");
  r.required_string("c");
  EXPECT_TRUE(r.failed());
  expect_error(r, "/a");
}

TEST(ObjectReader, NonObjectInput) {
  Json j = doc(R"([1])");
  ObjectReader r(j, "/form");
  r.optional_string("x");
  expect_error(r, "/form");
}

// --- page_of ----------------------------------------------------------------------------------

TEST(PageOf, Defaults) {
  auto p = page_of(query_request("/x"));
  ASSERT_TRUE(p);
  EXPECT_EQ(20, p->limit);
  EXPECT_EQ(0, p->offset);
  auto q = page_of(query_request("/x"), 100, 1000);
  EXPECT_EQ(100, q->limit);
}

TEST(PageOf, ReadsLimitAndOffset) {
  auto p = page_of(query_request("/x?limit=200&offset=40"));
  ASSERT_TRUE(p);
  EXPECT_EQ(200, p->limit);
  EXPECT_EQ(40, p->offset);
}

TEST(PageOf, RejectsBadValues) {
  struct Case {
    const char* target;
    const char* field;
  };
  for (auto c :
       {Case{"/x?limit=0", "limit"}, Case{"/x?limit=201", "limit"}, Case{"/x?limit=abc", "limit"},
        Case{"/x?limit=", "limit"}, Case{"/x?limit=5x", "limit"}, Case{"/x?offset=-1", "offset"},
        Case{"/x?offset=99999999999", "offset"}}) {
    auto p = page_of(query_request(c.target));
    ASSERT_FALSE(p) << c.target;
    EXPECT_EQ(ErrorCode::invalid_input, p.error().code);
    EXPECT_EQ(c.field, p.error().field) << c.target;
  }
}

// --- responses --------------------------------------------------------------------------------

TEST(Responses, OkCreatedNoContent) {
  auto r = ok({{"a", 1}});
  EXPECT_EQ(200, r.status);
  EXPECT_EQ("application/json", r.content_type);
  EXPECT_EQ(R"({"a":1})", r.body);

  auto c = created({{"id", "x"}}, "/api/v1/things/x");
  EXPECT_EQ(201, c.status);
  ASSERT_EQ(1u, c.headers.size());
  EXPECT_EQ("Location", c.headers[0].first);
  EXPECT_EQ("/api/v1/things/x", c.headers[0].second);
  EXPECT_TRUE(created({}).headers.empty());

  auto n = no_content();
  EXPECT_EQ(204, n.status);
  EXPECT_TRUE(n.body.empty());
}

TEST(Responses, InvalidUtf8IsReplacedNotThrown) {
  auto r = ok({{"s", std::string("\xff")}});
  EXPECT_EQ(200, r.status);
}

}  // namespace
}  // namespace yiwang::http
