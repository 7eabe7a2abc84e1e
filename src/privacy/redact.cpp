// The redaction of privacy/redact.h: normalise, then scan. Each pass claims spans of code points
// (a span is replaced by its placeholder in the output; a claimed code point is never looked at
// again), in the order that lets the more specific patterns win: names, e-mail addresses, plate
// numbers, house numbers, then the digit groups, which are classified as a whole and, when the
// whole is nothing known, split at their separators into the longest parts that are.
#include "privacy/redact.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>

#include "core/utf8.h"

namespace yiwang::privacy {
namespace {

constexpr std::size_t npos = std::u32string::npos;

// ---- Characters ---------------------------------------------------------------------------------

// The character matched in place of `c`: full-width ASCII as ASCII, every space as ' ', every dash
// as '-', middle dots as '.', the full-width yen sign as '¥'.
char32_t normalise(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;  // ０-９ Ａ-Ｚ ａ-ｚ ＠ － ． （ ） ：…
  switch (c) {
    case U'\t':
    case 0x00A0:
    case 0x2002:
    case 0x2003:
    case 0x2009:
    case 0x3000:
      return U' ';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
      return U'-';
    case 0x00B7:
    case 0x2022:
    case 0x2027:
    case 0x30FB:
    case 0xFF65:
      return U'.';
    case 0xFFE5:
      return 0x00A5;
    default:
      return c;
  }
}

bool is_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}
bool is_letter(char32_t c) {
  return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z');
}
bool is_alnum(char32_t c) {
  return is_digit(c) || is_letter(c);
}
char32_t lower(char32_t c) {
  return c >= U'A' && c <= U'Z' ? c + 32 : c;
}
// What people type between the groups of one number.
bool is_separator(char32_t c) {
  return c == U' ' || c == U'-' || c == U'.' || c == U'/' || c == U'(' || c == U')';
}
bool in(std::u32string_view set, char32_t c) {
  return set.find(c) != std::u32string_view::npos;
}

// ---- Word lists (data) --------------------------------------------------------------------------

constexpr std::u32string_view kSurnames =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    U"苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    U"龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    U"左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    U"屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    U"闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝闫";
constexpr std::array<std::u32string_view, 28> kCompoundSurnames = {
    U"欧阳", U"司马", U"上官", U"诸葛", U"东方", U"皇甫", U"尉迟", U"公孙", U"慕容", U"长孙",
    U"令狐", U"夏侯", U"宇文", U"司徒", U"端木", U"独孤", U"南宫", U"西门", U"轩辕", U"呼延",
    U"澹台", U"公冶", U"太史", U"申屠", U"赫连", U"闻人", U"万俟", U"钟离"};
// Surnames that are also everyday words ("本人应该", "本人尚未"): not a name after a weak context.
constexpr std::u32string_view kWordlikeSurnames =
    U"于和时明全应成文安路车关党常向万司商师连华简谷甘包宁尚柏解管查高金石单方房白余田叶任付"
    U"莫龙毛温康齐乔易江曲苗鲁卫米边冷席宫牛从许";
// Characters that end a name rather than continue it ("我叫李四在…", "本人张伟反映…").
constexpr std::u32string_view kNameStops =
    U"的了在是住家电手联身现今于反要想和与向因说等也都就已又再到去来从把被让给对为请号年月日这"
    U"那有没不打及或先女称";
constexpr std::array<std::u32string_view, 8> kHonorifics = {U"先生", U"女士", U"小姐", U"师傅",
                                                            U"阿姨", U"大爷", U"大妈", U"同志"};

struct NameContext {
  std::u32string_view word;
  // Weak contexts ("本人", "户主") need a surname that is not an everyday word and a name that
  // ends there; a strong one takes such a surname only after filler ("联系人：应晓").
  bool strong;
};
constexpr std::array<NameContext, 14> kNameContexts = {{{U"联系人", true},
                                                        {U"联系电话", true},
                                                        {U"姓名", true},
                                                        {U"名字叫", true},
                                                        {U"名字是", true},
                                                        {U"我叫", true},
                                                        {U"我的名字", true},
                                                        {U"投诉人", true},
                                                        {U"举报人", true},
                                                        {U"反映人", true},
                                                        {U"来电人", true},
                                                        {U"本人", false},
                                                        {U"户主", false},
                                                        {U"我是", false}}};

constexpr std::array<std::u32string_view, 4> kIdWords = {U"身份证", U"证件", U"身份号", U"id"};
constexpr std::array<std::u32string_view, 12> kPhoneWords = {
    U"电话", U"手机",  U"座机",   U"联系方式", U"微信", U"qq",
    U"tel",  U"phone", U"mobile", U"致电",     U"来电", U"联系"};
// Filler between a contact word and its number: "手机号码：", "电话是", "QQ#".
constexpr std::u32string_view kKeywordFiller = U" :,是为号码#";

constexpr std::array<std::u32string_view, 13> kStandards = {
    U"gb",  U"gb/t", U"gb/z", U"db", U"db/t", U"iso", U"iec",
    U"jgj", U"cjj",  U"hj",   U"ga", U"ga/t", U"ws"};
// A number followed by one of these is a quantity, not a contact.
constexpr std::u32string_view kUnits =
    U"元万亿千百块角米平亩吨斤克升人户名位次件个辆台套张年月日天周小分秒%度倍公毫厘里条份棵株盏处"
    U"起岁㎡㎞㎏℃";
constexpr std::u32string_view kCurrency = U"\u00A5$\u20AC\u00A3";
constexpr std::u32string_view kProvinces =
    U"京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
constexpr std::u32string_view kChineseNumerals = U"〇零一二三四五六七八九幺";

// ---- The scan -----------------------------------------------------------------------------------

struct Span {
  std::size_t begin, end;
  std::string_view placeholder;
};

// The digit groups of one number as typed: "110105 19900101 001X" is three groups and an X.
struct Token {
  std::vector<std::size_t> begin, end;  // group g is [begin[g], end[g])
  std::vector<std::size_t> digits;      // digits before group g (prefix sums; one more entry)
  std::size_t x_end = npos;             // one past a trailing X after 17 digits
};

enum class Verdict { personal, safe, plain, unknown };
struct Class {
  Verdict verdict = Verdict::unknown;
  std::string_view kind, placeholder;
};
constexpr Class kPlain{Verdict::plain, {}, {}};
constexpr Class kSafe{Verdict::safe, {}, {}};
constexpr Class kUnknown{Verdict::unknown, {}, {}};
constexpr Class kId{Verdict::personal, "id_number", "[身份证号]"};
constexpr Class kPhone{Verdict::personal, "phone", "[电话]"};
constexpr Class kCard{Verdict::personal, "bank_card", "[卡号]"};

class Scan {
 public:
  explicit Scan(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
      auto cp = core::next_code_point(text, i);
      if (!cp) ++i;
      original_.push_back(cp.value_or(0xFFFD));
      n_.push_back(normalise(cp.value_or(0xFFFD)));
    }
    claimed_.assign(n_.size(), false);
  }

  void names(const std::vector<std::string>& known);
  void emails();
  void plates();
  void house_numbers();
  void numbers();
  void spelled_numbers();
  Redacted finish();

 private:
  bool free(std::size_t b, std::size_t e) const {
    for (std::size_t i = b; i < e; ++i) {
      if (claimed_[i]) return false;
    }
    return true;
  }
  void claim(std::size_t b, std::size_t e, std::string_view placeholder, std::string_view kind) {
    std::fill(claimed_.begin() + static_cast<std::ptrdiff_t>(b),
              claimed_.begin() + static_cast<std::ptrdiff_t>(e), true);
    spans_.push_back({b, e, placeholder});
    found(kind);
  }
  void found(std::string_view kind) {
    if (std::find(kinds_.begin(), kinds_.end(), kind) == kinds_.end()) kinds_.emplace_back(kind);
  }
  void hold(std::string_view kind) {
    held_ = true;
    found(kind);
  }
  bool at(std::size_t i, std::u32string_view word) const {
    if (i + word.size() > n_.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
      if (lower(n_[i + k]) != word[k]) return false;
    }
    return true;
  }
  bool han(std::size_t i) const { return i < n_.size() && core::is_han(n_[i]); }

  void claim_everywhere(const std::u32string& name);
  std::size_t name_at(std::size_t p, bool strong, bool after_filler) const;
  bool after_word(std::size_t start, const auto& words) const;
  bool after_standard(std::size_t start) const;
  bool unit_follows(std::size_t end) const;
  bool currency_precedes(std::size_t start) const;
  Token token_at(std::size_t i) const;
  Class classify(const Token& t, std::size_t i, std::size_t j) const;

  std::u32string original_, n_;
  std::vector<bool> claimed_;
  std::vector<Span> spans_;
  std::vector<std::string> kinds_;
  bool held_ = false;
};

void Scan::claim_everywhere(const std::u32string& name) {
  for (std::size_t at = n_.find(name); at != npos; at = n_.find(name, at + 1)) {
    if (free(at, at + name.size())) claim(at, at + name.size(), "[姓名]", "name");
  }
}

// The length of the name at p after a contact word, 0 when there is none: a surname (or 小/老 and
// a surname, after a strong context) followed by an honorific or by one or two characters.
std::size_t Scan::name_at(std::size_t p, bool strong, bool after_filler) const {
  std::size_t s = 0;
  bool wordlike = false;
  for (auto c : kCompoundSurnames) {
    if (at(p, c)) s = c.size();
  }
  if (s == 0 && han(p) && in(kSurnames, n_[p])) {
    s = 1;
    wordlike = in(kWordlikeSurnames, n_[p]);
  }
  if (s == 0 && strong && (at(p, U"小") || at(p, U"老")) && han(p + 1) &&
      in(kSurnames, n_[p + 1])) {
    return 2;
  }
  if (s == 0) return 0;
  for (auto h : kHonorifics) {
    if (at(p + s, h)) return s + h.size();
  }
  if (wordlike && !(strong && after_filler)) return 0;
  std::size_t given = 0;
  while (given < 2 && han(p + s + given) && !in(kNameStops, n_[p + s + given])) ++given;
  if (given == 0) return 0;
  const std::size_t end = p + s + given;
  // Weak contexts need the name to end there: "本人张伟反映" but not "本人能够".
  if (!strong && han(end) && !in(kNameStops, n_[end])) return 0;
  return s + given;
}

void Scan::names(const std::vector<std::string>& known) {
  for (const auto& name : known) {
    std::u32string n;
    for (char32_t c : core::decode_utf8(name)) n.push_back(normalise(c));
    // A one-character "name" would blank ordinary words.
    if (n.size() >= 2) claim_everywhere(n);
  }
  std::vector<std::u32string> context_names;
  for (const auto& ctx : kNameContexts) {
    for (std::size_t at = n_.find(ctx.word); at != npos; at = n_.find(ctx.word, at + 1)) {
      const std::size_t after = at + ctx.word.size();
      std::size_t p = after;
      for (int k = 0; k < 3 && p < n_.size() && in(U" :,是为、-", n_[p]); ++k) ++p;
      const std::size_t len = name_at(p, ctx.strong, p > after);
      if (len == 0 || !free(p, p + len)) continue;
      claim(p, p + len, "[姓名]", "name");
      context_names.push_back(n_.substr(p, len));
    }
  }
  // The name said once in a contact phrase is the same person wherever it recurs.
  for (const auto& name : context_names) claim_everywhere(name);
}

void Scan::emails() {
  auto local = [](char32_t c) { return is_alnum(c) || in(U"._%+-", c); };
  auto domain = [](char32_t c) { return is_alnum(c) || c == U'.' || c == U'-'; };
  for (std::size_t p = 0; p < n_.size(); ++p) {
    if (n_[p] != U'@' || claimed_[p]) continue;
    std::size_t b = p;
    while (b > 0 && local(n_[b - 1]) && !claimed_[b - 1]) --b;
    std::size_t e = p + 1;
    while (e < n_.size() && domain(n_[e]) && !claimed_[e]) ++e;
    while (e > p + 1 && (n_[e - 1] == U'.' || n_[e - 1] == U'-')) --e;
    const std::size_t dot = n_.rfind(U'.', e - 1);
    if (b == p || dot == npos || dot <= p + 1 || e - dot < 3) continue;
    bool tld = true;
    for (std::size_t k = dot + 1; k < e; ++k) tld = tld && is_letter(n_[k]);
    if (tld) claim(b, e, "[邮箱]", "email");
  }
}

// A province's abbreviation, a letter, an optional separator, five or six letters and digits
// (two digits at least), and no letter or digit after: 苏A8B123, 京A·12345, 京AD12345.
void Scan::plates() {
  for (std::size_t p = 0; p + 7 <= n_.size(); ++p) {
    if (!in(kProvinces, n_[p]) || !is_letter(n_[p + 1]) || !free(p, p + 2)) continue;
    std::size_t q = p + 2;
    if (q < n_.size() && (n_[q] == U' ' || n_[q] == U'.' || n_[q] == U'-')) ++q;
    std::size_t e = q;
    int digits = 0;
    while (e < n_.size() && is_alnum(n_[e]) && !claimed_[e]) digits += is_digit(n_[e++]);
    if (e - q >= 5 && e - q <= 6 && digits >= 2) claim(p, e, "[车牌]", "plate");
  }
}

// Below street level: the letters and digits before 栋 幢 单元 楼 层 室 号 ("12栋", "3 单元",
// "5-2-301室"), and a room number right after a building or unit ("4栋104"), become "*". Not
// ordinals (第3层), dates (3月1号), document numbers (〔2014〕12号) or metro lines (2号线).
void Scan::house_numbers() {
  for (std::size_t u = 1; u < n_.size(); ++u) {
    const bool unit = in(U"栋幢楼层室号", n_[u]) || at(u, U"单元");
    if (!unit || (n_[u] == U'号' && at(u + 1, U"线"))) continue;
    std::size_t e = u;
    if (n_[e - 1] == U' ') --e;
    std::size_t b = e;
    int digits = 0;
    while (b > 0 && (is_alnum(n_[b - 1]) || n_[b - 1] == U'-') && !claimed_[b - 1]) {
      digits += is_digit(n_[--b]);
    }
    while (b < e && n_[b] == U'-') ++b;
    if (b == e || digits > 6) continue;  // long numbers are the digit scan's
    const std::size_t before = b > 1 && n_[b - 1] == U' ' ? b - 2 : b - 1;
    // Not an ordinal (第3层), a date (3月1号) or a document number (〔2014〕12号).
    if (b > 0 && in(U"第月]〕】)", n_[before])) continue;
    claim(b, u, "*", "address");
    // The room right after a building or unit: 4栋104, 3单元-501.
    if (n_[u] != U'栋' && n_[u] != U'幢' && !at(u, U"单元")) continue;
    std::size_t r = u + (at(u, U"单元") ? 2 : 1);
    if (r < n_.size() && (n_[r] == U'-' || n_[r] == U' ')) ++r;
    std::size_t re = r;
    while (re < n_.size() && is_digit(n_[re]) && !claimed_[re]) ++re;
    if (re - r >= 3 && re - r <= 4 && (re == n_.size() || !in(kUnits, n_[re]))) {
      const bool spaced_room = re + 1 < n_.size() && n_[re] == U' ' && in(U"室号", n_[re + 1]);
      claim(r, spaced_room ? re + 1 : re, "*", "address");  // "501 室" as "*室"
    }
  }
}

// A contact word right before `start`, past filler: "手机号码：" before a number.
bool Scan::after_word(std::size_t start, const auto& words) const {
  std::size_t p = start;
  for (int k = 0; k < 4 && p > 0 && in(kKeywordFiller, lower(n_[p - 1])); ++k) --p;
  for (auto w : words) {
    if (p < w.size() || !at(p - w.size(), w)) continue;
    // An ASCII word must start one: "ID" but not "android".
    if (is_letter(w[0]) && p > w.size() && is_letter(n_[p - w.size() - 1])) continue;
    return true;
  }
  return false;
}

// "GB/T 30428-2013", "GB 11643": a standard's number.
bool Scan::after_standard(std::size_t start) const {
  std::size_t p = start;
  if (p > 0 && n_[p - 1] == U' ') --p;
  std::size_t b = p;
  while (b > 0 && (is_letter(n_[b - 1]) || n_[b - 1] == U'/')) --b;
  if (b > 0 && is_alnum(n_[b - 1])) return false;
  for (auto s : kStandards) {
    if (p - b == s.size() && at(b, s)) return true;
  }
  return false;
}

bool Scan::unit_follows(std::size_t end) const {
  std::size_t p = end;
  if (p < n_.size() && n_[p] == U' ') ++p;
  return p < n_.size() && in(kUnits, n_[p]);
}

bool Scan::currency_precedes(std::size_t start) const {
  std::size_t p = start;
  if (p > 0 && n_[p - 1] == U' ') --p;
  return p > 0 && in(kCurrency, n_[p - 1]);
}

// The digit groups from i, joined across at most three separators each.
Token Scan::token_at(std::size_t i) const {
  Token t;
  t.digits.push_back(0);
  std::size_t p = i;
  while (true) {
    const std::size_t b = p;
    while (p < n_.size() && is_digit(n_[p]) && !claimed_[p]) ++p;
    t.begin.push_back(b);
    t.end.push_back(p);
    t.digits.push_back(t.digits.back() + (p - b));
    std::size_t q = p;
    for (int k = 0; k < 3 && q < n_.size() && is_separator(n_[q]) && !claimed_[q]; ++k) ++q;
    if (q == p || q >= n_.size() || !is_digit(n_[q]) || claimed_[q]) break;
    p = q;
  }
  if (t.digits.back() == 17) {
    std::size_t q = p;
    if (q < n_.size() && n_[q] == U' ') ++q;
    if (q < n_.size() && lower(n_[q]) == U'x' && !claimed_[q] &&
        (q + 1 >= n_.size() || !is_alnum(n_[q + 1]))) {
      t.x_end = q + 1;
    }
  }
  return t;
}

// What the groups [i, j) of `t` are, as one number. The order is the rule: contact words first,
// then the specific personal patterns, then what is known to be harmless, then the broad ones.
// Longer than 80 lines on purpose: one ordered list of rules reads best whole.
Class Scan::classify(const Token& t, std::size_t i, std::size_t j) const {
  const std::size_t count = t.digits[j] - t.digits[i];
  const bool first = i == 0, last = j == t.begin.size();
  const std::size_t start = t.begin[i], stop = t.end[j - 1];
  std::string d;
  for (std::size_t g = i; g < j; ++g) {
    for (std::size_t k = t.begin[g]; k < t.end[g]; ++k) d += static_cast<char>(n_[k]);
  }
  auto sep = [&](std::size_t g) {  // the separators before group g
    return std::u32string_view(n_).substr(t.end[g - 1], t.begin[g] - t.end[g - 1]);
  };
  auto year = [&](std::size_t g) {
    const auto len = t.end[g] - t.begin[g];
    return len == 4 && (d.compare(t.digits[g] - t.digits[i], 2, "19") == 0 ||
                        d.compare(t.digits[g] - t.digits[i], 2, "20") == 0);
  };
  auto value = [&](std::size_t g) {
    return std::stoi(d.substr(t.digits[g] - t.digits[i], t.end[g] - t.begin[g]));
  };

  if (first && count >= 6 && after_word(start, kIdWords)) return kId;
  if (first && count >= 6 && after_word(start, kPhoneWords)) return kPhone;
  if ((count == 18 && d[0] != '0') || (count == 17 && last && t.x_end != npos)) return kId;
  if (count == 11 && d[0] == '1' && d[1] >= '3') return kPhone;
  if (count == 13 && d.starts_with("861") && d[3] >= '3') return kPhone;
  if (d[0] == '0' && d[1] != '0' && count >= 10 && count <= 12) return kPhone;
  if (count == 10 && (d.starts_with("400") || d.starts_with("800"))) return kPhone;

  if (first && after_standard(start)) return kSafe;
  if (first && start > 0 && is_letter(n_[start - 1])) return kSafe;  // a code: AP20250012
  if (last && t.x_end == npos && stop < n_.size() && is_letter(n_[stop])) return kSafe;  // 15m2
  if (first && start > 0 && n_[start - 1] == U'第') return kSafe;  // 第1606011号
  const std::size_t groups = j - i;
  if (groups == 1 && count >= 7 && d.find_first_not_of(d[0]) == std::string::npos) {
    return kSafe;  // 00000000: a mask, not a number
  }
  auto size = [&](std::size_t g) { return t.end[g] - t.begin[g]; };
  if (groups == 2 && size(i) <= 2 && size(i + 1) <= 2 && sep(i + 1).size() == 1 &&
      in(U"-./", sep(i + 1)[0]) && value(i) >= 1 && value(i) <= 12 && value(i + 1) >= 1 &&
      value(i + 1) <= 31) {
    return kSafe;  // a month and day: 09.06, 3/15
  }
  if ((groups == 2 || groups == 3) && year(i) && count <= 8) {
    bool date = true;
    for (std::size_t g = i + 1; g < j; ++g) {
      const auto s = sep(g);
      date = date && s.size() == 1 && in(U"-./", s[0]) && s == sep(i + 1) && size(g) <= 2;
    }
    if (date && value(i + 1) >= 1 && value(i + 1) <= 12 &&
        (groups == 2 || (value(i + 2) >= 1 && value(i + 2) <= 31))) {
      return kSafe;  // 2025-03-01, 2025.3.1, 2025/03
    }
  }
  if (groups >= 2 && year(i) && count - 4 <= 8) {
    bool unspaced = true;
    for (std::size_t g = i + 1; g < j; ++g) {
      unspaced = unspaced && sep(g).find_first_not_of(U"-()") == std::u32string_view::npos;
    }
    if (unspaced) return kSafe;  // a case number: 2025-0012, (2019)006278
  }
  if (groups >= 2) {
    bool years = true;
    for (std::size_t g = i; g < j; ++g) years = years && year(g);
    if (years) return kSafe;  // 2019 2020 2021
  }
  if (groups == 2 && sep(i + 1) == U"." && (d[0] != '0' || size(i) == 1) &&
      (size(i) <= 3 || (size(i) <= 6 && size(i + 1) <= 2))) {
    return kSafe;  // a decimal: 118.7965, 17983.65
  }
  if (groups == 2 && sep(i + 1).find_first_not_of(U"-") == std::u32string_view::npos &&
      size(i) <= 5 && size(i + 1) <= 5 && d[0] != '0' && value(i + 1) > value(i) &&
      (count < 7 || d[0] == '1' || (value(i) % 100 == 0 && value(i + 1) % 100 == 0))) {
    return kSafe;  // a range: 5000-30000 (not a local number's shape: 2345-6789)
  }
  if (groups == 2 && d[0] == '0' && size(i) >= 3 && size(i) <= 4 && size(i + 1) == 5 &&
      (n_[t.begin[i + 1]] == U'1' || n_[t.begin[i + 1]] == U'9')) {
    return kSafe;  // an area code and a public service number: 0731-12315
  }
  if (groups == 1 && (count == 3 || count == 5) && (d[0] == '1' || d[0] == '9')) {
    return kSafe;  // a public service number: 110, 12345, 96111
  }
  if (last && t.x_end == npos && unit_follows(stop)) return kSafe;
  if (first && currency_precedes(start)) return kSafe;

  if (count >= 12 && count <= 19) {
    bool fours = true;
    for (std::size_t g = i; g + 1 < j; ++g) fours = fours && t.end[g] - t.begin[g] == 4;
    if (groups == 1 || fours) return kCard;
  }
  if ((count == 7 || count == 8) && d[0] >= '2') return kPhone;
  if (count < 7) return kPlain;
  return kUnknown;
}

// Every number: classified whole, or split into the longest parts that are something; digits
// left over in groups that together hold seven or more (or one unknown group) hold the text.
void Scan::numbers() {
  constexpr std::size_t kLongest = 20;  // no pattern spans more digits; bounds the splitting
  for (std::size_t p = 0; p < n_.size(); ++p) {
    if (!is_digit(n_[p]) || claimed_[p]) continue;
    const Token t = token_at(p);
    const std::size_t k = t.begin.size();
    std::size_t plain_run = 0;
    for (std::size_t i = 0; i < k;) {
      std::size_t j = i + 1;
      while (j < k && t.digits[j + 1] - t.digits[i] <= kLongest) ++j;
      bool matched = false;
      for (; j > i; --j) {
        const Class c = classify(t, i, j);
        if (c.verdict != Verdict::personal && c.verdict != Verdict::safe) continue;
        if (c.verdict == Verdict::personal) {
          const bool x = j == k && t.x_end != npos && c.kind == "id_number";
          claim(t.begin[i], x ? t.x_end : t.end[j - 1], c.placeholder, c.kind);
        }
        plain_run = 0;
        i = j;
        matched = true;
        break;
      }
      if (matched) continue;
      if (t.digits[i + 1] - t.digits[i] > kLongest ||
          classify(t, i, i + 1).verdict == Verdict::unknown) {
        hold("unclassified_number");
      } else if ((plain_run += t.digits[i + 1] - t.digits[i]) >= 7) {
        hold("unclassified_number");
      }
      ++i;
    }
    p = t.x_end != npos ? t.x_end - 1 : t.end.back() - 1;
  }
}

void Scan::spelled_numbers() {
  std::size_t run = 0;
  for (std::size_t p = 0; p < n_.size(); ++p) {
    run = !claimed_[p] && in(kChineseNumerals, n_[p]) ? run + 1 : 0;
    if (run == 7) hold("spelled_number");
  }
}

Redacted Scan::finish() {
  std::sort(spans_.begin(), spans_.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  Redacted out;
  out.held = held_;
  out.kinds = std::move(kinds_);
  std::size_t p = 0;
  for (const auto& s : spans_) {
    for (; p < s.begin; ++p) core::append_utf8(out.text, original_[p]);
    out.text += s.placeholder;
    p = s.end;
  }
  for (; p < original_.size(); ++p) core::append_utf8(out.text, original_[p]);
  return out;
}

}  // namespace

Redacted redact(std::string_view text, const std::vector<std::string>& known_names) {
  Scan scan(text);
  scan.names(known_names);
  scan.emails();
  scan.plates();
  scan.house_numbers();
  scan.numbers();
  scan.spelled_numbers();
  return scan.finish();
}

std::string public_text(std::string_view text, const std::vector<std::string>& known_names) {
  Redacted r = redact(text, known_names);
  return r.held ? std::string(kWithheld) : std::move(r.text);
}

}  // namespace yiwang::privacy
