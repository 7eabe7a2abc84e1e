// Hot issues: place extraction, candidate search, linking and the heat index (see hot_issues.h).
#include "appeals/hot_issues.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "core/names.h"
#include "core/utf8.h"

namespace yiwang::appeals {
namespace {

using U32 = std::u32string;

bool is_ascii_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Full-width ASCII forms folded, so that "Ａ５区" and "A5区" are one district.
U32 decode(std::string_view s, std::size_t max_chars = std::string::npos) {
  U32 out = core::decode_utf8(s);
  if (out.size() > max_chars) out.resize(max_chars);
  for (auto& c : out) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    if (c == 0x3000) c = ' ';
  }
  return out;
}

U32 u32(std::string_view s) {
  return core::decode_utf8(s);
}
std::string utf8(const U32& s) {
  return core::encode_utf8(s);
}

struct Suffix {
  U32 text;
  PlaceKind kind;
  bool strip;  // 小区/社区 are dropped from the name: 丽发新城小区 and 丽发新城社区 are 丽发新城
};

const std::vector<Suffix>& suffixes() {
  static const std::vector<Suffix> table = [] {
    std::vector<Suffix> t;
    auto add = [&](const char* s, PlaceKind k, bool strip = false) {
      t.push_back({u32(s), k, strip});
    };
    for (auto s : {"小区", "社区"}) add(s, PlaceKind::estate, true);
    for (auto s :
         {"花园", "家园", "公寓", "大厦", "广场", "山庄", "公园", "苑", "园", "城", "府", "湾"}) {
      add(s, PlaceKind::estate);
    }
    for (auto s : {"幼儿园", "学院", "大学", "中学", "小学", "学校", "医院", "市场"}) {
      add(s, PlaceKind::org);
    }
    for (auto s : {"公司", "集团", "银行"}) add(s, PlaceKind::company);
    for (auto s : {"大道", "大街", "路", "街", "巷"}) add(s, PlaceKind::road);
    for (auto s : {"街道", "镇", "乡"}) add(s, PlaceKind::town);
    add("村", PlaceKind::village);
    for (auto s : {"区", "县"}) add(s, PlaceKind::district);
    // Longest first, so that 花园 wins over 园 and 街道 over 街 at the same position.
    std::stable_sort(t.begin(), t.end(), [](const Suffix& a, const Suffix& b) {
      return a.text.size() > b.text.size();
    });
    return t;
  }();
  return table;
}

// Characters that cannot be inside a place name here: function words, pronouns, and the
// administrative levels above it (市, 区, 县, 省), which end one name and start the next.
bool is_stop(char32_t c) {
  static const std::set<char32_t> stops = [] {
    std::set<char32_t> s;
    for (char32_t c :
         u32("的在于和与及是了对向把被给从到我你他她它们住为将要个这那有该本此各每其等或也都"
             "就还又并而但因所以省市区县近旁边即由自至去让请叫称说问求过着没不很太更最啊吧"
             "呢吗呀号栋期楼层户室单元位处座个间"))
      s.insert(c);
    return s;
  }();
  return stops.count(c) > 0;
}

// Words that begin a clause, not a name: dropped from the front of a name.
const std::vector<U32>& lead_words() {
  static const std::vector<U32> words = [] {
    std::vector<U32> w;
    for (auto s :
         {"投诉", "反映", "反应", "举报", "咨询", "建议", "关于", "希望", "要求", "恳请", "请求",
          "位于", "地处", "坐落", "处于", "来自", "家住", "居住", "附近", "旁边", "对面", "门口",
          "整个", "现在", "目前", "尊敬", "领导", "您好", "你好", "业主", "居民", "强烈", "紧急",
          "严重", "如今", "今年", "去年", "最近", "周边", "配套", "开设", "设置", "建设", "新建",
          "修建", "附属", "公办", "民办", "普惠", "一所", "一个", "影响", "靠近", "临近", "紧邻",
          "包括", "以及", "还有", "就读", "入读", "所属", "管辖"}) {
      w.push_back(u32(s));
    }
    return w;
  }();
  return words;
}

// Names that are categories, not places.
bool is_generic(const U32& name) {
  static const std::set<U32> names = [] {
    std::set<U32> s;
    for (auto n :
         {"中小学校",   "中小学",   "人民政府", "物业公司", "开发公司", "房地产公司", "有限公司",
          "公交公司",   "高速公路", "新农村",   "美丽乡村", "城中村",   "农贸市场",   "菜市场",
          "老旧",       "安置",     "拆迁",     "保障",     "公租",     "廉租",       "商品",
          "所在",       "一个",     "住宅",     "新建",     "开发",     "物业",       "公办幼儿园",
          "民办幼儿园", "私立",     "公立医院", "工业园",   "棚户区",   "考上大学",   "商业街",
          "步行街",     "马路",     "农村",     "乡镇",     "城乡",     "自己",       "周边",
          "附近",       "其他",     "这些",     "那些",     "相关",     "有关",       "管理",
          "当地",       "全国",     "市区",     "城区",     "辖区",     "片区",       "园区",
          "景区",       "山区",     "郊区",     "新区",     "老区",     "社区",       "小区"}) {
      s.insert(u32(n));
    }
    return s;
  }();
  return names.count(name) > 0;
}

// Whether the suffix at s[i] is really a suffix here (城市, 城管, 政府, 路线 are not places).
bool suffix_applies(const U32& s, std::size_t i, const Suffix& suf) {
  char32_t next = i + suf.text.size() < s.size() ? s[i + suf.text.size()] : 0;
  char32_t prev = i > 0 ? s[i - 1] : 0;
  if (suf.text.size() != 1) return true;
  switch (suf.text[0]) {
    case U'城':
      return U32(U"市管乡区际铁镇中里").find(next) == U32::npos;
    case U'园':
      return next != U'林';
    case U'府':
      return prev != U'政';
    case U'路':
      return U32(U"线费过况途程人子由灯").find(next) == U32::npos;
    case U'街':
      return U32(U"头坊").find(next) == U32::npos;
    case U'乡':
      return U32(U"村镇亲下").find(next) == U32::npos;
    default:
      return true;
  }
}

struct Found {
  U32 name;
  PlaceKind kind;
  std::size_t begin = 0, end = 0;  // the span, suffix included
};

constexpr std::size_t kMaxNameChars = 6;
constexpr std::size_t kMaxDistrictChars = 4;

void scan_places(const U32& s, std::vector<Found>& out) {
  std::size_t floor = 0;  // names do not reach back into the previous one
  std::optional<Found> prev;
  for (std::size_t i = 0; i < s.size();) {
    static const U32 firsts = [] {
      U32 f;
      for (const auto& suf : suffixes()) f += suf.text[0];
      return f;
    }();
    const Suffix* hit = nullptr;
    if (firsts.find(s[i]) == U32::npos) {
      ++i;
      continue;
    }
    for (const auto& suf : suffixes()) {
      if (s.compare(i, suf.text.size(), suf.text) == 0 && suffix_applies(s, i, suf)) {
        hit = &suf;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    const std::size_t end = i + hit->text.size();
    std::size_t j = i;
    if (hit->kind == PlaceKind::district && i > floor && is_ascii_alnum(s[i - 1])) {
      while (j > floor && is_ascii_alnum(s[j - 1])) --j;  // the data's anonymised A5区, A7县
    } else {
      const std::size_t max_len =
          hit->kind == PlaceKind::district ? kMaxDistrictChars : kMaxNameChars;
      // 和 joins names (魅力城和阳光城) but also begins some (和平, 和谐).
      auto stops_at = [&](std::size_t k) {
        return is_stop(s[k]) &&
               !(s[k] == U'和' && k + 1 < i && U32(U"平谐美睦").find(s[k + 1]) != U32::npos);
      };
      while (j > floor && core::is_han(s[j - 1]) && !stops_at(j - 1) && i - j < max_len) --j;
      for (bool again = true; again;) {
        again = false;
        for (const auto& w : lead_words()) {
          if (i - j >= w.size() && s.compare(j, w.size(), w) == 0) {
            j += w.size();
            again = true;
          }
        }
      }
    }
    if (i - j < (hit->kind == PlaceKind::district && !core::is_han(s[j]) ? 1 : 2)) {
      // 和平花园小区: the 小区 belongs to the name before it (and is blanked with it).
      if (hit->strip && i == floor && !out.empty() && out.back().end == i) {
        out.back().end = end;
        if (prev) prev->end = end;
        floor = end;
      }
      i = end;  // 的幼儿园 is no 幼儿+园, 投诉小区 no 投诉小+区
      continue;
    }
    U32 name = s.substr(j, i - j);
    if (!hit->strip) name += hit->text;
    if (is_generic(name) || is_generic(s.substr(j, i - j))) {
      i = end;
      continue;
    }
    Found f{name, hit->kind, j, end};
    // 伊景园滨河苑: two adjacent estate names are one place as well as two.
    if (prev && prev->end == j && prev->kind == PlaceKind::estate && f.kind == PlaceKind::estate &&
        !hit->strip) {
      out.push_back(Found{prev->name + f.name, PlaceKind::estate, prev->begin, end});
    }
    out.push_back(f);
    prev = f;
    floor = end;
    i = end;
  }
}

bool fine(PlaceKind k) {
  return k == PlaceKind::estate || k == PlaceKind::org || k == PlaceKind::village;
}
bool coarse(PlaceKind k) {
  return k == PlaceKind::road || k == PlaceKind::town;
}

// ---- Problem vectors ---------------------------------------------------------------------------

using Key = std::uint64_t;
constexpr Key kAsciiBit = Key{1} << 63;
constexpr Key kPlaceBit = Key{1} << 62;

Key bigram_key(char32_t a, char32_t b) {
  return (Key(a) << 21) | Key(b);
}

Key ascii_key(const U32& token) {
  Key h = 1469598103934665603ULL;
  for (char32_t c : token) {
    h ^= static_cast<Key>(c);
    h *= 1099511628211ULL;
  }
  return (h & ~(kAsciiBit | kPlaceBit)) | kAsciiBit;
}

// Bigrams of ideograph runs and ASCII words of two or more characters, counted into `tf`.
void count_features(const U32& s, int weight, std::vector<Key>& tf) {
  U32 word;
  auto flush = [&] {
    if (word.size() >= 2) tf.insert(tf.end(), static_cast<std::size_t>(weight), ascii_key(word));
    word.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    if (is_ascii_alnum(c)) {
      word += (c >= 'A' && c <= 'Z') ? c + 32 : c;
      continue;
    }
    flush();
    if (core::is_han(c) && i + 1 < s.size() && core::is_han(s[i + 1]))
      tf.insert(tf.end(), static_cast<std::size_t>(weight), bigram_key(c, s[i + 1]));
  }
  flush();
}

U32 blank(U32 s, const std::vector<Found>& found) {
  for (const auto& f : found) {
    for (std::size_t k = f.begin; k < f.end && k < s.size(); ++k) s[k] = ' ';
  }
  return s;
}

struct Prepared {
  std::vector<std::pair<Key, int>> tf;  // sorted by key
  std::vector<Key> title;              // the title's features: what the citizen says the problem is
  std::vector<PlaceMention> mentions;  // location, title and text
};

Prepared prepare(const HotMessage& m, int text_chars) {
  Prepared p;
  std::vector<Found> found;
  auto take = [&](const U32& s, std::vector<Found>& f) {
    scan_places(s, f);
    for (const auto& x : f) p.mentions.push_back({utf8(x.name), x.kind});
  };
  U32 location = decode(m.location, 500);
  take(location, found);
  found.clear();
  U32 title = decode(m.title, 500);
  take(title, found);
  std::vector<Key> keys;
  count_features(blank(title, found), 2, keys);
  p.title = keys;
  found.clear();
  U32 text = decode(m.text, static_cast<std::size_t>(std::max(0, text_chars)));
  take(text, found);
  count_features(blank(text, found), 1, keys);
  std::sort(keys.begin(), keys.end());
  for (Key k : keys) {
    if (!p.tf.empty() && p.tf.back().first == k)
      ++p.tf.back().second;
    else
      p.tf.emplace_back(k, 1);
  }
  std::sort(p.title.begin(), p.title.end());
  p.title.erase(std::unique(p.title.begin(), p.title.end()), p.title.end());
  return p;
}

using Vec = std::vector<std::pair<std::uint32_t, float>>;  // sorted by feature id, unit length

double dot(const Vec& a, const Vec& b) {
  double s = 0;
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (i->first < j->first) {
      ++i;
    } else if (j->first < i->first) {
      ++j;
    } else {
      s += double(i->second) * j->second;
      ++i;
      ++j;
    }
  }
  return s;
}

struct Places {
  std::vector<std::string> fine, coarse, district;
};

enum class Relation { same, different, unknown };

bool any_same(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a)
    for (const auto& y : b)
      if (same_place(x, y)) return true;
  return false;
}

Relation relate(const Places& a, const Places& b) {
  if (!a.fine.empty() && !b.fine.empty()) {
    return any_same(a.fine, b.fine) ? Relation::same : Relation::different;
  }
  if (!a.district.empty() && !b.district.empty() && !any_same(a.district, b.district)) {
    return Relation::different;
  }
  if (!a.coarse.empty() && !b.coarse.empty() && any_same(a.coarse, b.coarse)) {
    return Relation::same;
  }
  return Relation::unknown;
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  // The smaller index becomes the root, so that components do not depend on the order of unions.
  bool unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (b < a) std::swap(a, b);
    parent[b] = a;
    return true;
  }
};

// Most frequent name (each member counted once), ties to the longer, then the smaller.
std::vector<std::pair<std::string, int>> ranked(const std::map<std::string, int>& counts) {
  std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    if (a.first.size() != b.first.size()) return a.first.size() > b.first.size();
    return a.first < b.first;
  });
  return v;
}

}  // namespace

std::string_view to_string(PlaceKind k) {
  static constexpr auto kPlaceKinds = core::enum_names<PlaceKind>(
      "district", "road", "town", "village", "estate", "org", "company");
  return kPlaceKinds.name(k);
}

std::vector<PlaceMention> extract_places(std::string_view text) {
  std::vector<Found> found;
  scan_places(decode(text), found);
  std::vector<PlaceMention> out;
  for (const auto& f : found) out.push_back({utf8(f.name), f.kind});
  return out;
}

bool same_place(std::string_view a, std::string_view b) {
  if (a.size() < 2 || b.size() < 2) return false;
  if (core::decode_utf8(a).size() < 2 || core::decode_utf8(b).size() < 2) return false;
  return a.size() <= b.size() ? b.find(a) != std::string_view::npos
                              : a.find(b) != std::string_view::npos;
}

double problem_similarity(std::string_view a, std::string_view b) {
  HotMessage ma, mb;
  ma.text = std::string(a);
  mb.text = std::string(b);
  auto pa = prepare(ma, 100000), pb = prepare(mb, 100000);
  std::map<Key, int> b_tf(pb.tf.begin(), pb.tf.end());
  double ab = 0, aa = 0, bb = 0;
  for (const auto& [k, n] : pa.tf) {
    double w = 1 + std::log(double(n));
    aa += w * w;
    if (auto it = b_tf.find(k); it != b_tf.end()) ab += w * (1 + std::log(double(it->second)));
  }
  for (const auto& [k, n] : pb.tf) bb += std::pow(1 + std::log(double(n)), 2);
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

namespace {

// ---- The stages of find_hot_issues --------------------------------------------------------------

// The messages in time order (then id): every later stage is independent of the input order.
std::vector<const HotMessage*> in_time_order(const std::vector<HotMessage>& input) {
  const std::size_t n = input.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (input[a].created_at_ms != input[b].created_at_ms)
      return input[a].created_at_ms < input[b].created_at_ms;
    return input[a].id < input[b].id;
  });
  std::vector<const HotMessage*> msg(n);
  for (std::size_t i = 0; i < n; ++i) msg[i] = &input[order[i]];
  return msg;
}

// The messages as the clustering sees them (stage 1 and 2 of the header comment).
struct Corpus {
  std::vector<const HotMessage*> msg;  // time order
  std::vector<Prepared> prep;          // features counted (tf moved into vec), places named
  std::unordered_map<Key, std::uint32_t> vocab;  // feature ids in order of first appearance
  std::vector<std::uint32_t> df;                 // document frequency per feature id
  std::vector<Vec> vec;                          // TF-IDF, unit length
  std::vector<std::vector<std::uint32_t>> title_features;  // shared title features, sorted
  std::vector<Places> places;                              // per message, general names dropped

  std::size_t size() const { return msg.size(); }
  double idf(std::uint32_t f) const { return std::log((double(size()) + 1) / (df[f] + 1)) + 1; }
  // How much of i's title (IDF-weighted) j also says, anywhere.
  double cover(std::size_t i, std::size_t j) const {
    double all = 0, hit = 0;
    auto it = vec[j].begin();
    for (std::uint32_t f : title_features[i]) {
      double w = idf(f);
      all += w;
      while (it != vec[j].end() && it->first < f) ++it;
      if (it != vec[j].end() && it->first == f) hit += w;
    }
    return all > 0 ? hit / all : 0.0;
  }
};

// Vocabulary ids in order of first appearance (deterministic), document frequencies, and the
// TF-IDF vector of each message.
void vectorise(Corpus& c) {
  const std::size_t n = c.size();
  std::vector<std::vector<std::pair<std::uint32_t, int>>> raw(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& [k, count] : c.prep[i].tf) {
      auto [it, fresh] = c.vocab.try_emplace(k, static_cast<std::uint32_t>(c.df.size()));
      if (fresh) c.df.push_back(0);
      ++c.df[it->second];
      raw[i].emplace_back(it->second, count);
    }
    std::sort(raw[i].begin(), raw[i].end());
    c.prep[i].tf.clear();
  }
  c.vec.resize(n);
  const double big_n = double(n);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (const auto& [f, count] : raw[i]) {
      double w = (1 + std::log(double(count))) * (std::log((big_n + 1) / (c.df[f] + 1)) + 1);
      c.vec[i].emplace_back(f, static_cast<float>(w));
      norm += w * w;
    }
    norm = std::sqrt(norm);
    if (norm > 0)
      for (auto& [f, w] : c.vec[i]) w = static_cast<float>(w / norm);
  }
  c.title_features.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (Key k : c.prep[i].title) {
      std::uint32_t f = c.vocab.at(k);
      if (c.df[f] >= 2) c.title_features[i].push_back(f);
    }
    std::sort(c.title_features[i].begin(), c.title_features[i].end());
  }
}

// Each message's places by fineness; places named in too many messages (A市-wide names) decide
// nothing and are left out.
void place_sets(Corpus& c, const HotOptions& o) {
  const std::size_t n = c.size();
  std::map<std::string, int> place_df;
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::string> names;
    for (const auto& m : c.prep[i].mentions) names.insert(m.name);
    for (const auto& name : names) ++place_df[name];
  }
  const double place_cap = std::max(50.0, o.place_max_df * double(n));
  c.places.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::set<std::string> seen;
    for (const auto& m : c.prep[i].mentions) {
      if (!seen.insert(m.name).second) continue;
      if (m.kind != PlaceKind::district && place_df[m.name] > place_cap) continue;
      if (fine(m.kind))
        c.places[i].fine.push_back(m.name);
      else if (coarse(m.kind))
        c.places[i].coarse.push_back(m.name);
      else
        c.places[i].district.push_back(m.name);
    }
  }
}

// Candidate keys (stage 4): each message's rarest shared bigrams, and the bigrams of its place
// names; `key_df` counts the messages per key.
std::vector<std::vector<Key>> candidate_keys(const Corpus& c, const HotOptions& o,
                                             std::unordered_map<Key, std::uint32_t>& key_df) {
  std::vector<std::vector<Key>> keys(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> by_rarity;  // (df, feature)
    for (const auto& [f, w] : c.vec[i]) {
      if (c.df[f] >= 2 && c.df[f] <= static_cast<std::uint32_t>(o.max_postings))
        by_rarity.emplace_back(c.df[f], f);
    }
    std::sort(by_rarity.begin(), by_rarity.end());
    if (by_rarity.size() > static_cast<std::size_t>(std::max(0, o.index_keys)))
      by_rarity.resize(static_cast<std::size_t>(std::max(0, o.index_keys)));
    for (const auto& [d, f] : by_rarity) keys[i].push_back(Key(f));
    std::set<Key> place_keys;
    for (const auto* list : {&c.places[i].fine, &c.places[i].coarse}) {
      for (const auto& name : *list) {
        U32 s = u32(name);
        for (std::size_t k = 0; k + 1 < s.size(); ++k)
          place_keys.insert(kPlaceBit | bigram_key(s[k], s[k + 1]));
      }
    }
    keys[i].insert(keys[i].end(), place_keys.begin(), place_keys.end());
    for (Key k : keys[i]) ++key_df[k];
  }
  return keys;
}

// Whether messages i and j are about the same problem (stage 3).
bool alike(const Corpus& c, std::size_t i, std::size_t j, const HotOptions& o) {
  Relation r = relate(c.places[i], c.places[j]);
  if (r == Relation::different) return false;
  // In one place a shared title word is evidence enough (油烟扰民 / 夜宵摊油烟); without one, the
  // whole texts must be alike.
  double sim = dot(c.vec[i], c.vec[j]);
  if (r == Relation::same) sim = std::max(sim, (c.cover(i, j) + c.cover(j, i)) / 2);
  double need = r == Relation::same ? o.same_place_threshold : o.threshold;
  return sim >= need;
}

// Links each message with the earlier ones its keys lead to, within link_gap_days and the
// candidate budget; counts the pairs into `result`.
UnionFind link_messages(const Corpus& c, const HotOptions& o, HotResult& result) {
  const std::size_t n = c.size();
  std::unordered_map<Key, std::uint32_t> key_df;
  const auto keys = candidate_keys(c, o, key_df);
  UnionFind uf(n);
  std::unordered_map<Key, std::vector<std::uint32_t>> postings;
  std::vector<std::int64_t> seen(n, -1);
  const auto gap_ms = static_cast<core::Millis>(o.link_gap_days * double(core::kDayMs));
  for (std::size_t i = 0; i < n; ++i) {
    const core::Millis t = c.msg[i]->created_at_ms;
    int budget = std::max(1, o.max_candidates);
    for (Key k : keys[i]) {
      if (key_df[k] > static_cast<std::uint32_t>(o.max_postings)) continue;
      auto& list = postings[k];
      for (auto it = list.rbegin(); it != list.rend() && budget > 0; ++it) {
        const std::uint32_t j = *it;
        if (t - c.msg[j]->created_at_ms > gap_ms) break;
        if (seen[j] == static_cast<std::int64_t>(i)) continue;
        seen[j] = static_cast<std::int64_t>(i);
        --budget;
        ++result.candidate_pairs;
        if (alike(c, i, j, o)) {
          ++result.linked_pairs;
          uf.unite(static_cast<int>(i), static_cast<int>(j));
        }
      }
      list.push_back(static_cast<std::uint32_t>(i));
    }
  }
  return uf;
}

// The members' names counted once per member, by fineness.
struct NameCounts {
  std::map<std::string, int> fine, coarse, district, entity;
};

// The medoid under cosine similarity: the sum of a member's similarities to all members is its
// dot product with the sum of their vectors, so one pass finds it.
std::size_t medoid(const Corpus& c, const std::vector<std::size_t>& members) {
  std::map<std::uint32_t, double> centroid;
  for (std::size_t i : members)
    for (const auto& [f, w] : c.vec[i]) centroid[f] += w;
  std::size_t best = members.front();
  double best_score = -1;
  for (std::size_t i : members) {
    double s = 0;
    for (const auto& [f, w] : c.vec[i]) s += w * centroid[f];
    if (s > best_score + 1e-9) {
      best_score = s;
      best = i;
    }
  }
  return best;
}

// The most often named fine place, else road or town, else district. A fuller name of the same
// place named nearly as often reads better (伊景园滨河苑, not 滨河苑).
std::string main_place(const NameCounts& n) {
  for (const auto* counts : {&n.fine, &n.coarse, &n.district}) {
    if (counts->empty()) continue;
    auto r = ranked(*counts);
    std::string place = r.front().first;
    for (const auto& [name, count] : r) {
      if (name.size() > place.size() && name.find(place) != std::string::npos &&
          2 * count >= r.front().second) {
        place = name;
      }
    }
    return place;
  }
  return "";
}

// The heat index (see the header comment), rounded to two decimals.
double heat_of(const HotIssue& h, const HotOptions& o, core::Millis now) {
  const double repeats = double(h.count - h.people);
  double base = o.w_people * std::log1p(double(h.people)) +
                o.w_repeats * std::log1p(std::max(0.0, repeats)) +
                o.w_likes * std::log1p(double(h.likes));
  double heat = 10 * base * (1 + o.w_span * std::log1p(h.span_days));
  if (o.recency_half_life_days > 0) {
    double age = std::max(0.0, double(now - h.last_at_ms) / double(core::kDayMs));
    heat *= std::pow(0.5, age / o.recency_half_life_days);
  }
  return std::round(heat * 100) / 100;
}

// The issue a group of two or more linked messages makes, or nullopt below min_count or
// min_people.
std::optional<HotIssue> issue_of(const Corpus& c, const std::vector<std::size_t>& members,
                                 const HotOptions& o, core::Millis now) {
  HotIssue h;
  std::set<std::string> people, depts;
  NameCounts names;
  for (std::size_t i : members) {
    const HotMessage& m = *c.msg[i];
    h.member_ids.push_back(m.id);
    h.count += std::max(1, m.reports);
    h.likes += std::max<std::int64_t>(0, m.likes);
    people.insert(m.user.empty() ? "\x01" + m.id : m.user);
    if (!m.dept_id.empty()) depts.insert(m.dept_id);
    for (const auto& name : c.places[i].fine) ++names.fine[name];
    for (const auto& name : c.places[i].coarse) ++names.coarse[name];
    for (const auto& name : c.places[i].district) ++names.district[name];
    std::set<std::string> named;
    for (const auto& pm : c.prep[i].mentions) named.insert(pm.name);
    for (const auto& name : named) ++names.entity[name];
  }
  h.people = static_cast<std::int64_t>(people.size());
  if (h.count < o.min_count || h.people < o.min_people) return std::nullopt;
  h.dept_ids.assign(depts.begin(), depts.end());
  h.first_at_ms = c.msg[members.front()]->created_at_ms;
  h.last_at_ms = c.msg[members.back()]->created_at_ms;
  h.span_days = double(h.last_at_ms - h.first_at_ms) / double(core::kDayMs);
  h.id = "HI-" + h.member_ids.front();
  const HotMessage& best = *c.msg[medoid(c, members)];
  h.title = best.title;
  if (h.title.empty()) h.title = utf8(decode(best.text, 40));
  h.place = main_place(names);
  const int need = std::max(2, static_cast<int>(std::ceil(0.2 * double(members.size()))));
  for (const auto& [name, count] : ranked(names.entity)) {
    if (count < need || static_cast<int>(h.entities.size()) >= o.max_entities) break;
    h.entities.push_back(name);
  }
  h.heat = heat_of(h, o, now);
  return h;
}

}  // namespace

HotResult find_hot_issues(const std::vector<HotMessage>& input, const HotOptions& o) {
  HotResult result;
  result.messages = input.size();
  if (input.empty()) return result;
  Corpus c;
  c.msg = in_time_order(input);
  c.prep.resize(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) c.prep[i] = prepare(*c.msg[i], o.text_chars);
  vectorise(c);
  place_sets(c, o);
  UnionFind uf = link_messages(c, o, result);

  std::map<int, std::vector<std::size_t>> groups;  // root → members in time order
  for (std::size_t i = 0; i < c.size(); ++i) groups[uf.find(static_cast<int>(i))].push_back(i);
  const core::Millis now = o.now_ms != 0 ? o.now_ms : c.msg.back()->created_at_ms;
  for (const auto& [root, members] : groups) {
    if (members.size() < 2) continue;
    ++result.groups;
    if (auto h = issue_of(c, members, o, now)) result.issues.push_back(std::move(*h));
  }
  std::sort(result.issues.begin(), result.issues.end(), [](const HotIssue& a, const HotIssue& b) {
    if (a.heat != b.heat) return a.heat > b.heat;
    if (a.count != b.count) return a.count > b.count;
    return a.id < b.id;
  });
  return result;
}

}  // namespace yiwang::appeals
