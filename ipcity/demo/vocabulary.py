"""Word lists the sample generator draws from: Hebi's counties, roads and parks, and the
syllables of invented names (trade names, people, plant varieties).

Plain data, no logic. Names of enterprises, brands and varieties are built from syllables
chosen to be unusual, so that the sample cannot be mistaken for the register of a real
company; what Hebi's industries file on is in :mod:`ipcity.demo.industries`.
"""

from __future__ import annotations

from typing import NamedTuple


class County(NamedTuple):
    """A county-level division of Hebi with the share of the sample's enterprises it holds."""

    code: str  # GB/T 2260
    name: str  # as written in an address after 河南省鹤壁市
    share: float
    roads: tuple[str, ...]
    industries: dict[str, float]  # industry key -> weight of enterprises' main industry


# Weights follow the city's economic geography: the urban district and the ETDZ hold most
# manufacturing (optical, electronics, wiring), the old mining districts magnesium, chemicals
# and mining machinery, the two rural counties food processing and farm machinery.
COUNTIES: tuple[County, ...] = (
    County(
        "410611",
        "淇滨区",
        0.30,
        (
            "九州路",
            "淇河路",
            "华山路",
            "黄河路",
            "兴鹤大街",
            "天山路",
            "长江路",
            "泰山路",
            "嵩山路",
            "漓江路",
        ),
        {
            "magnesium": 0.12,
            "optical": 0.10,
            "wiring": 0.18,
            "energy": 0.12,
            "food": 0.10,
            "electronics": 0.22,
            "chemical": 0.08,
            "machinery": 0.08,
        },
    ),
    County(
        "410671",
        "鹤壁经济技术开发区",
        0.20,
        ("延河路", "渤海路", "珠江路", "兴业大道", "科技大道", "创业路", "海河路", "闽江路"),
        {
            "optical": 0.25,
            "wiring": 0.20,
            "electronics": 0.25,
            "energy": 0.12,
            "food": 0.08,
            "magnesium": 0.05,
            "machinery": 0.05,
        },
    ),
    County(
        "410603",
        "山城区",
        0.12,
        ("红旗街", "新华街", "朝阳路", "长风中路", "石林路", "汤河路"),
        {
            "magnesium": 0.30,
            "chemical": 0.20,
            "wiring": 0.15,
            "machinery": 0.15,
            "electronics": 0.10,
            "energy": 0.05,
            "food": 0.05,
        },
    ),
    County(
        "410602",
        "鹤山区",
        0.10,
        ("中山路", "鹤山街", "新华路", "建设路", "人民路"),
        {
            "magnesium": 0.25,
            "chemical": 0.25,
            "machinery": 0.25,
            "energy": 0.15,
            "food": 0.05,
            "electronics": 0.05,
        },
    ),
    County(
        "410621",
        "浚县",
        0.14,
        ("黎阳路", "浚州大道", "卫河路", "黄河路", "伾山大道", "迎宾路"),
        {
            "food": 0.45,
            "machinery": 0.20,
            "chemical": 0.10,
            "electronics": 0.05,
            "energy": 0.10,
            "wiring": 0.10,
        },
    ),
    County(
        "410622",
        "淇县",
        0.14,
        ("朝歌路", "淇河大道", "太行路", "卫都路", "黄河路", "摘星台路"),
        {
            "food": 0.35,
            "wiring": 0.25,
            "electronics": 0.15,
            "energy": 0.10,
            "machinery": 0.10,
            "chemical": 0.05,
        },
    ),
)

CITY_CODE = "410600"
ADDRESS_PREFIX = "河南省鹤壁市"

# Parks of clause P2.1 that an address names after the county, so that the platform's
# address-keyword rule (ipcity/places/data/zones.yaml) puts the holder in the zone:
# county code -> (park as written in the address, industries located there, share of them).
PARK_ADDRESSES: dict[str, tuple[str, tuple[str, ...], float]] = {
    "410621": ("鹤壁国家农业科技园区", ("food", "machinery"), 0.3),
    "410603": ("宝山循环经济产业集聚区", ("magnesium", "chemical", "machinery"), 0.4),
}

# --- invented names --------------------------------------------------------------------------

# Trade-name (字号) syllables: pairs of these are rare as real company names, and a deny-list
# below removes the few pairs known to belong to real Hebi firms.
TRADE_NAME_FIRST = "澄翊曜岚溯璟祺泓骁珩湛晞沐屹朔霁砚翎峤渟琮皓凇昶奕炜柘芃琰尧骞珲淼旻煦垚崧骅"
TRADE_NAME_SECOND = "岳衡川源泽途拓睿昇禾钧铂策维驰舟岭辰晟越峻锐屿澜穹珀弈铖锦芮桓钺垣骋熠琨璞岫珑"

# Pinyin of every syllable above, for Latin-letter trademarks (曜岳 -> YAOYUE).
PINYIN: dict[str, str] = {
    "澄": "cheng", "翊": "yi", "曜": "yao", "岚": "lan", "溯": "su", "璟": "jing", "祺": "qi",
    "泓": "hong", "骁": "xiao", "珩": "heng", "湛": "zhan", "晞": "xi", "沐": "mu", "屹": "yi",
    "朔": "shuo", "霁": "ji", "砚": "yan", "翎": "ling", "峤": "qiao", "渟": "ting", "琮": "cong",
    "皓": "hao", "凇": "song", "昶": "chang", "奕": "yi", "炜": "wei", "柘": "zhe", "芃": "peng",
    "琰": "yan", "尧": "yao", "骞": "qian", "珲": "hui", "淼": "miao", "旻": "min", "煦": "xu",
    "垚": "yao", "崧": "song", "骅": "hua", "岳": "yue", "衡": "heng", "川": "chuan", "源": "yuan",
    "泽": "ze", "途": "tu", "拓": "tuo", "睿": "rui", "昇": "sheng", "禾": "he", "钧": "jun",
    "铂": "bo", "策": "ce", "维": "wei", "驰": "chi", "舟": "zhou", "岭": "ling", "辰": "chen",
    "晟": "sheng", "越": "yue", "峻": "jun", "锐": "rui", "屿": "yu", "澜": "lan", "穹": "qiong",
    "珀": "po", "弈": "yi", "铖": "cheng", "锦": "jin", "芮": "rui", "桓": "huan", "钺": "yue",
    "垣": "yuan", "骋": "cheng", "熠": "yi", "琨": "kun", "璞": "pu", "岫": "xiu", "珑": "long",
}  # fmt: skip

# Words of real Hebi enterprises and brands a generated name must not contain.
DENIED_WORDS = (
    "仕佳",
    "天海",
    "全丰",
    "海昌",
    "兰大",
    "淇花",
    "永达",
    "大用",
    "同力",
    "鹤煤",
    "煤电",
    "中维",
)

COMPANY_FORMS = (("有限公司", 0.72), ("有限责任公司", 0.16), ("股份有限公司", 0.12))

UNIVERSITIES = ("鹤壁淇源职业技术学院", "鹤壁卫河理工学院")
INSTITUTES = ("鹤壁市太行农业科学研究院", "鹤壁市朝歌轻合金研究所", "鹤壁市云梦光电技术研究院")
# Associations own the collective, certification and GI marks; 示例 in their names keeps them
# apart from the real associations that hold Hebi's geographical indications.
ASSOCIATIONS = (
    ("浚县示例花生产业协会", "410621"),
    ("淇县示例禽蛋产业协会", "410622"),
    ("鹤壁市示例食品行业协会", "410611"),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文军利宇浩凯晨博宁欣怡"
    "雪梅峰亮斌林琳海燕帅飞颖倩佳慧晓东振宏云龙俊杨楠鑫鸿彬昊宸泽瑞轩婷悦雯翔森松涛卫民庆"
)

# Crops and the name stems of invented plant varieties (no stem of a real Hebi series).
CROPS = (("小麦", "麦"), ("玉米", "玉"), ("花生", "花"), ("大豆", "豆"))
VARIETY_STEMS = ("淇岚", "曜禾", "澄穗", "翊丰", "琮实")

SOFTWARE_SUFFIXES = ("V1.0", "V1.0", "V2.0", "V3.0", "V1.1")
WORK_TITLES = (
    ("F", "{brand}品牌标识设计"),
    ("F", "{brand}吉祥物形象设计"),
    ("F", "淇河风光系列插画（示例）"),
    ("A", "{brand}企业文化手册"),
    ("I", "太行山水摄影作品集（示例）"),
    ("F", "{brand}产品包装设计"),
)
