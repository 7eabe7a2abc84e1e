// privacy::redact on a corpus of what citizens type: ID numbers, phones, e-mail addresses,
// plates, cards, names after contact words and house numbers, spaced, dashed and full-width; and
// the matter that must stay readable (counts, years, dates, amounts, case and standard numbers).
// Regression for issue #16 item 5: the board's old redaction let spaced IDs, dashed and
// full-width phones and names after 联系人/我叫/姓名 through. And the one name mask.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "privacy/mask.h"
#include "privacy/redact.h"

namespace yiwang::privacy {
namespace {

struct Case {
  const char* input;
  const char* expected;  // the redacted text
  bool held = false;
};

// One row per variant; `expected` is the whole output, so what is kept is checked as well.
const std::vector<Case> kCorpus = {
    // Resident ID numbers, however grouped or typed.
    {"身份证 110105 19900101 001X", "身份证 [身份证号]"},
    {"1101 0519 9001 0100 1X 是我的证件", "[身份证号] 是我的证件"},
    {"身份证号110105199001010011", "身份证号[身份证号]"},
    {"证件号：１１０１０５１９９００１０１００１Ｘ", "证件号：[身份证号]"},
    {"我的号码110105-1990-0101-001x，请核实", "我的号码[身份证号]，请核实"},
    {"身份证 11010519900101 号后四位忘了", "身份证 [身份证号] 号后四位忘了"},
    // Mobile and landline numbers.
    {"电话 138-1234-5678", "电话 [电话]"},
    {"手机１３８１２３４５６７８", "手机[电话]"},
    {"打138 1234 5678找我", "打[电话]找我"},
    {"打 138—1234—5678", "打 [电话]"},
    {"+86 138 1234 5678", "+[电话]"},
    {"座机 010-8765 4321", "座机 [电话]"},
    {"(010) 8765 4321", "([电话]"},
    {"（0571）8888 6666 转 801", "（[电话] 转 801"},
    {"物业 025.8379.1234 不接", "物业 [电话] 不接"},
    {"客服 400-800-1234", "客服 [电话]"},
    {"QQ：12345678", "QQ：[电话]"},
    {"家里 8379 1234 没人接", "家里 [电话] 没人接"},
    {"电话13812345678，13912345678 也行", "电话[电话]，[电话] 也行"},
    // E-mail, plates, cards.
    {"邮箱 wang.xm@example.com.cn", "邮箱 [邮箱]"},
    {"发到 wang＠example．com 谢谢", "发到 [邮箱] 谢谢"},
    {"车牌苏A8B123", "车牌[车牌]"},
    {"京A·12345 长期停在消防通道", "[车牌] 长期停在消防通道"},
    {"卡号 6222 0212 3456 7890 123", "卡号 [卡号]"},
    {"退到 6222021234567890 这张卡", "退到 [卡号] 这张卡"},
    // Names after contact words, and where they recur.
    {"联系人：王小明", "联系人：[姓名]"},
    {"联系人王小明，电话13812345678", "联系人[姓名]，电话[电话]"},
    {"我叫李四，住在幸福小区", "我叫[姓名]，住在幸福小区"},
    {"姓名：张三", "姓名：[姓名]"},
    {"户主张伟反映楼道灯坏了", "户主[姓名]反映楼道灯坏了"},
    {"联系电话：王先生 13912345678", "联系电话：[姓名] [电话]"},
    {"联系人欧阳娜娜", "联系人[姓名]"},
    {"我叫王小明。王小明家的水管漏了", "我叫[姓名]。[姓名]家的水管漏了"},
    {"联系人：小李", "联系人：[姓名]"},
    {"我是王芳，电话13800001111", "我是[姓名]，电话[电话]"},
    // Below street level.
    {"幸福小区 12 栋 3 单元 501 室", "幸福小区 *栋 *单元 *室"},
    {"住5-2-301室", "住*室"},
    {"A座12号楼", "A座*号楼"},
    {"住4栋104，隔壁3单元-501", "住*栋*，隔壁*单元-*"},
    {"依据〔2014〕12号文件", "依据〔2014〕12号文件"},
    // Risky leftovers: the caller must withhold the text.
    {"请打1234567", "请打1234567", true},
    {"138 1234 56789", "138 1234 56789", true},
    {"电话一三八一二三四五六七八", "电话一三八一二三四五六七八", true},
    {"编号 123456789012345678901234", "编号 123456789012345678901234", true},
    // The matter stays readable.
    {"路灯坏了 3 天，2025 年修过", "路灯坏了 3 天，2025 年修过"},
    {"2025-03-01 至 2025-04-30 施工", "2025-03-01 至 2025-04-30 施工"},
    {"2025年3月1日上午10:30", "2025年3月1日上午10:30"},
    {"2025.3.1 报修，2025/03/08 又坏", "2025.3.1 报修，2025/03/08 又坏"},
    {"2025-03-01 10:30 报修", "2025-03-01 10:30 报修"},
    {"案件编号 2025-0012 已办结", "案件编号 2025-0012 已办结"},
    {"依据 GB/T 30428-2013 划分网格", "依据 GB/T 30428-2013 划分网格"},
    {"符合 GB 11643-1999 的规定", "符合 GB 11643-1999 的规定"},
    {"赔偿 3000 元，共计 12,500.50 元", "赔偿 3000 元，共计 12,500.50 元"},
    {"补贴 1200000 元，另付 ¥1500", "补贴 1200000 元，另付 ¥1500"},
    {"拨打 12345 热线", "拨打 12345 热线"},
    {"可拨打0731-12315或12345/12369反映", "可拨打0731-12315或12345/12369反映"},
    {"有效期2018.08.23-08.25、09.06-09.08", "有效期2018.08.23-08.25、09.06-09.08"},
    {"工资1500-1700，定金5000-30000不等", "工资1500-1700，定金5000-30000不等"},
    {"建规字第1606011号，〔2014〕12号文", "建规字第1606011号，〔2014〕12号文"},
    {"用地面积15767.51m2，单价17983.65/平米", "用地面积15767.51m2，单价17983.65/平米"},
    {"报警案件（2019）006278号", "报警案件（2019）006278号"},
    {"电话：0000-00000000", "电话：[电话]"},
    {"2 号线地铁站出口", "2 号线地铁站出口"},
    {"第3层和第 4 层", "第3层和第 4 层"},
    {"3月1号上午停水", "3月1号上午停水"},
    {"本人于2025年反映过", "本人于2025年反映过"},
    {"本人尚未收到答复", "本人尚未收到答复"},
    {"小区有 200 户居民", "小区有 200 户居民"},
    {"PM2.5 超标", "PM2.5 超标"},
    {"经度 118.7965 纬度 32.0584", "经度 118.7965 纬度 32.0584"},
    {"我是本小区居民，我是李庄村村民", "我是本小区居民，我是李庄村村民"},
    {"工单 AP20250012 已受理", "工单 AP20250012 已受理"},
    {"2019 2020 2021 年连续漏水", "2019 2020 2021 年连续漏水"},
    {"王先生反映噪音", "王先生反映噪音"},
    {"联系人电话稍后补充", "联系人电话稍后补充"},
    {"", ""},
};

TEST(Redact, Corpus) {
  EXPECT_GE(kCorpus.size(), 40u);
  for (const auto& c : kCorpus) {
    const Redacted r = redact(c.input);
    EXPECT_EQ(c.expected, r.text) << "input: " << c.input;
    EXPECT_EQ(c.held, r.held) << "input: " << c.input << " → " << r.text;
  }
}

TEST(Redact, KnownNamesOfTwoCharactersOrMoreAreReplacedWherever) {
  EXPECT_EQ("[姓名]家门口的井盖坏了，请[姓名]的邻居注意",
            redact("张建国家门口的井盖坏了，请张建国的邻居注意", {"张建国"}).text);
  // A one-character name would blank ordinary words.
  EXPECT_EQ("路灯坏了 3 天，2025 年修过", redact("路灯坏了 3 天，2025 年修过", {"路"}).text);
  // Full-width in the text or in the name.
  EXPECT_EQ("[姓名] 来电", redact("ＬＩ Ｌｅｉ 来电", {"LI Lei"}).text);
}

TEST(Redact, KindsNameWhatWasFoundOnce) {
  const Redacted r =
      redact("我叫李四，电话 138-1234-5678，13912345678，身份证 110105 19900101 001X");
  EXPECT_FALSE(r.held);
  EXPECT_EQ((std::vector<std::string>{"name", "phone", "id_number"}), r.kinds);
  EXPECT_TRUE(redact("路灯坏了").kinds.empty());
  EXPECT_EQ((std::vector<std::string>{"unclassified_number"}), redact("请打1234567").kinds);
}

TEST(Redact, TheOldBoardCorpusStillComesOutClean) {
  const std::string out =
      redact(
          "我叫王小明，手机 13812345678，座机 025-83791234，邮箱 wang@example.com，身份证号 "
          "32010619800101123X，家住人民路幸福小区 12 栋 3 单元 501 室，车牌苏A8B123。",
          {"王小明"})
          .text;
  for (const char* leaked : {"王小明", "13812345678", "83791234", "wang@example.com",
                             "32010619800101123X", "501", "A8B123"}) {
    EXPECT_EQ(std::string::npos, out.find(leaked)) << leaked << " in " << out;
  }
  for (const char* kept :
       {"人民路幸福小区", "[电话]", "[身份证号]", "[车牌]", "[姓名]", "[邮箱]"}) {
    EXPECT_NE(std::string::npos, out.find(kept)) << kept << " missing in " << out;
  }
}

TEST(Redact, KeepsWhatIsNotReplacedAsTypedAndNeverCutsACharacter) {
  // Full-width punctuation and letters outside a match are not normalised in the output.
  EXPECT_EQ("（ＡＢＣ）电话：[电话]。",
            redact("（ＡＢＣ）电话：１３８－１２３４－５６７８。").text);
  // Each malformed byte comes out as U+FFFD; the rest is intact.
  const std::string malformed = std::string("a") + '\xE4' + '\xB8' + "b 13812345678";
  EXPECT_EQ("a\uFFFD\uFFFDb [电话]", redact(malformed).text);
}

TEST(PublicText, WithholdsWhatRedactHolds) {
  EXPECT_EQ(kWithheld, public_text("请打1234567 联系我"));
  EXPECT_EQ("电话 [电话]", public_text("电话 138-1234-5678"));
}

// The one name mask (privacy/mask.h), which cases, appeals and consultations use.
TEST(MaskName, FirstCharacterAndOneStar) {
  EXPECT_EQ("张*", mask_name("张三"));
  EXPECT_EQ("张*", mask_name("张三丰"));
  EXPECT_EQ("欧*", mask_name("欧阳娜娜"));
  EXPECT_EQ("江*", mask_name("江宁市秦淮区张三面馆"));
  EXPECT_EQ("*", mask_name("张"));
  EXPECT_EQ("*", mask_name(" 张"));
  EXPECT_EQ("", mask_name(""));
  EXPECT_EQ("", mask_name("  "));
  EXPECT_EQ("Z*", mask_name("Zhang San"));
}

TEST(Redact, LongInputStaysLinearEnough) {
  // A long run of one-digit groups is split without quadratic blow-up and held.
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "1 ";
  EXPECT_TRUE(redact(many).held);
}

}  // namespace
}  // namespace yiwang::privacy
