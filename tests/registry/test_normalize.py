"""Holder-name rules (ipcity.registry.normalize), on names taken from the real exports in
../shared/data/patents_cn and patents_intl, and the entity-resolution benchmark's scorer."""

from __future__ import annotations

import csv
import doctest
import gzip
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipcity.registry import normalize
from ipcity.registry.normalize import (
    display_name,
    infer_holder_kind,
    legal_form,
    normalize_name,
    split_applicants,
)

REPO = Path(__file__).resolve().parents[2]
# the same place tests/conftest.py reads (IPCITY_SHARED_DATA overrides ../shared/data)
DATA = Path(os.environ.get("IPCITY_SHARED_DATA", REPO.parent / "shared" / "data"))
PATENTS_CN = DATA / "patents_cn"
needs_data = pytest.mark.skipif(not PATENTS_CN.is_dir(), reason="../shared/data is not present")


def test_docstring_examples() -> None:
    assert doctest.testmod(normalize).failed == 0


# --------------------------------------------------------------------------------------------
# split_applicants
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        # incoPat 申请人: "; "
        (
            "北京京东尚科信息技术有限公司; 科大讯飞股份有限公司",
            ["北京京东尚科信息技术有限公司", "科大讯飞股份有限公司"],
        ),
        # incoPat 标准化申请人: the whole list in one pair of square brackets
        ("[建设银行-C; 建信金融科技有限责任公司]", ["建设银行-C", "建信金融科技有限责任公司"]),
        ("[通用汽车-C]", ["通用汽车-C"]),
        ("[Ho, Bong Sik; Ho, Sung Woong]", ["Ho, Bong Sik", "Ho, Sung Woong"]),
        # … or one pair per name
        ("[成都天钥科技有限公司]; [通用汽车-C]", ["成都天钥科技有限公司", "通用汽车-C"]),
        # Patentics: " | "
        (
            "现代自动车株式会社 | 起亚株式会社 | 现代奥特奥博株式会社",
            ["现代自动车株式会社", "起亚株式会社", "现代奥特奥博株式会社"],
        ),
        # the 62-column export: ";" without a space (its 发明人 column)
        ("刘迪;刘敏;王煜伟;付艳波;王元卓", ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"]),
        # full-width semicolon and line breaks (hand-made spreadsheets)
        ("郑州大学；开封大学\n郑州科技学院", ["郑州大学", "开封大学", "郑州科技学院"]),
    ],
)
def test_split_applicants_real_separator_styles(field: str, expected: list[str]) -> None:
    assert split_applicants(field) == expected


@pytest.mark.parametrize(
    "name",
    [
        # "、" and commas inside one name never split it
        "宁夏回族自治区人民医院(宁夏眼科医院、西北民族大学第一附属医院)",
        "[宁夏回族自治区人民医院(宁夏眼科医院、西北民族大学第一附属医院)]",
        "惠普发展公司,有限责任合伙企业",
        "惠普发展公司，有限责任合伙企业",
        "Lg Display Co.,  Ltd.",
        "Choi,  Kil Woong",
        "多玩国股份有限公司dwango co.,ltd.",
    ],
)
def test_split_applicants_keeps_one_name_whole(name: str) -> None:
    assert len(split_applicants(name)) == 1


def test_split_applicants_separator_inside_brackets_does_not_split() -> None:
    assert split_applicants("某某科技(北京;上海)有限公司; 海创时代（深圳|珠海）医疗科技有限公司") == [
        "某某科技(北京;上海)有限公司",
        "海创时代（深圳|珠海）医疗科技有限公司",
    ]


def test_split_applicants_entities_are_not_separators() -> None:
    assert split_applicants("AT&amp;T Corp; Lucent Technologies Inc.") == [
        "AT&T Corp",
        "Lucent Technologies Inc.",
    ]
    # a Lens record whose "&ldquo;" lost its "&"
    lens = "ldquo;HORBACHEVSKYI TERNOPIL STATE MEDICAL UNIVERSITY” STATE HIGHER EDUCATIONAL ESTABLISHMENT"
    assert len(split_applicants(lens)) == 1


def test_split_applicants_drops_empty_parts_and_repeats_keeping_first() -> None:
    assert split_applicants(" ;腾讯科技（深圳）有限公司;; 腾讯科技(深圳)有限公司 ; 戴建荣 ;") == [
        "腾讯科技（深圳）有限公司",
        "戴建荣",
    ]
    # incoPat standardises several companies of one group to one name: one holder
    assert split_applicants("[丰田公司-C; 丰田公司-C; 丰田公司-C]") == ["丰田公司-C"]
    assert split_applicants("") == []
    assert split_applicants(None) == []
    assert split_applicants("[]") == []


def test_split_applicants_order_is_kept() -> None:
    assert split_applicants("戴建荣; 海创时代(深圳)医疗科技有限公司") == [
        "戴建荣",
        "海创时代(深圳)医疗科技有限公司",
    ]


def test_split_applicants_unbalanced_bracket_still_splits() -> None:
    assert split_applicants("海创时代(深圳医疗科技有限公司; 戴建荣") == [
        "海创时代(深圳医疗科技有限公司",
        "戴建荣",
    ]


def _rows(name: str) -> Iterator[dict[str, str]]:
    with gzip.open(PATENTS_CN / name, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@needs_data
@pytest.mark.parametrize(
    ("file", "column", "separator"),
    [
        ("incopat_autonomous_driving_10000.csv.gz", "申请人", ";"),
        ("incopat_toyota_cn_5048.csv.gz", "申请人", ";"),
        ("incopat_iflytek_cn_3816.csv.gz", "申请人", ";"),
        ("patentics_cn_virtual_reality_7805.csv.gz", "申请人", "|"),
        ("patentics_cn_augmented_reality_4483.csv.gz", "申请人", "|"),
        ("patentics_cn_augmented_reality_4483.csv.gz", "标准化申请人", "|"),
    ],
)
def test_split_applicants_on_every_row_of_the_real_exports(file: str, column: str, separator: str) -> None:
    # In these columns no name holds the separator and no row repeats a name, so the
    # number of names is the number of separators + 1, and no name keeps a separator.
    for row in _rows(file):
        field = row[column]
        if not field:
            continue
        names = split_applicants(field)
        assert len(names) == field.count(separator) + 1, field
        assert not any(sep in name for name in names for sep in ";|"), field


@needs_data
def test_split_applicants_incopat_standardised_column() -> None:
    for row in _rows("incopat_autonomous_driving_10000.csv.gz"):
        if not row["标准化申请人"]:
            continue
        names = split_applicants(row["标准化申请人"])
        assert names, row["标准化申请人"]
        assert not any(name.startswith("[") or name.endswith("]") or ";" in name for name in names)
        # never more holders than the applicants they standardise
        assert len(names) <= len(split_applicants(row["申请人"]))


# --------------------------------------------------------------------------------------------
# normalize_name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # bracket width: both spellings occur in the Patentics files
        ("腾讯科技（北京）有限公司", "腾讯科技(北京)有限公司"),
        ("上海电器科学研究所(集团)有限公司", "上海电器科学研究所（集团）有限公司"),
        ("三星电子（中国）研发中心", "三星电子【中国】研发中心"),
        # comma width (Patentics)
        ("惠普发展公司,有限责任合伙企业", "惠普发展公司，有限责任合伙企业"),
        # spaces, case, punctuation of "Co., Ltd." (incoPat vs Lens spelling)
        ("Lg Display Co.,  Ltd.", "Lg Display Co Ltd"),
        ("LG DISPLAY CO., LTD.", "lg display co ltd"),
        # same-word abbreviations of one legal form (both spellings in the real files)
        ("Universal Display Corporation", "Universal Display Corp"),
        ("Qualcomm Incorporated", "Qualcomm Inc."),
        ("Robert Bosch Gesellschaft Mit Beschränkter Haftung", "Robert Bosch Gmbh"),
        ("Xfusion Digital Technologies Co Limited", "Xfusion Digital Technologies Co., Ltd."),
        ("Toyota Motor Company Limited", "Toyota Motor Co., Ltd."),
        # article, "&", hyphens, diacritics
        ("The Boeing Company", "Boeing Co."),
        (
            "Hong Kong University of Science & Technology",
            "The Hong Kong University of Science and Technology",
        ),
        ("Freudenberg-NOK General Partnership", "Freudenberg NOK General Partnership"),
        ("Université de Montréal", "Universite de Montreal"),
        # repairs: HTML entities, UTF-8 read as cp1252 (twice), invisible characters
        ("Universit&eacute; de Montr&eacute;al", "Université de Montréal"),
        ("UniversitÃƒÂ© Laval", "Université Laval"),
        ("科大讯飞\u200b股份有限公司\ufeff", "科大讯飞股份有限公司"),
        # control characters: incoPat's Toyota export has "\x7fkabushiki Kaisha …"
        ("\x7fKabushiki Kaisha Toyota Jidoshokki", "Kabushiki Kaisha Toyota Jidoshokki"),
        ("鹤壁天海\x07电子股份有限公司", "鹤壁天海电子股份有限公司"),
        # full-width Latin and digits
        ("ＴＣＬ科技集团股份有限公司", "TCL科技集团股份有限公司"),
        # a US university's governing board is the university
        ("The Regents of the University of California", "University of California"),
        ("Trustees of Princeton University", "Princeton University"),
        # trailing punctuation
        ("Navteq North America, LLC.", "Navteq North America, LLC"),
    ],
)
def test_normalize_name_merges_spellings(one: str, other: str) -> None:
    assert normalize_name(one) == normalize_name(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("鹤壁市XX有限公司", "鹤壁市XX股份有限公司"),
        # both pairs are real: translations of different companies, or a conversion
        ("通用电气航空系统有限公司", "通用电气航空系统有限责任公司"),
        ("深圳市优必选科技有限公司", "深圳市优必选科技股份有限公司"),
        ("某某股份公司", "某某股份有限公司"),
        ("绍兴柯桥斯坦电子科技合伙企业（有限合伙）", "绍兴柯桥斯坦电子科技合伙企业（普通合伙）"),
        ("Hyundai Motor Co", "Hyundai Motor Co., Ltd."),
        ("American Tech Manufacturing, Inc.", "American Tech Manufacturing Corp."),
        ("Genetics Institute, Inc.", "Genetics Institute, LLC"),
        ("Yazaki North America", "Yazaki North America, Inc."),
        ("GE Aviation Systems LLC", "GE Aviation Systems Limited"),
        # brackets are kept: a bracketed region is part of a Chinese name
        ("科大讯飞(北京)有限公司", "科大讯飞有限公司"),
    ],
)
def test_normalize_name_keeps_legal_forms_apart(one: str, other: str) -> None:
    assert normalize_name(one) != normalize_name(other)


def test_normalize_name_examples() -> None:
    assert normalize_name("海创时代（深圳）医疗科技有限公司") == "海创时代(深圳)医疗科技有限公司"
    assert normalize_name("Toyota Motor Co., Ltd.") == "toyotamotorcoltd"
    assert normalize_name("  ") == ""
    assert normalize_name("F·巴瓦斯特罗") == normalize_name("f・巴瓦斯特罗")


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}


@given(st.text())
def test_normalize_name_is_idempotent(name: str) -> None:
    key = normalize_name(name)
    assert normalize_name(key) == key


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_full_width_variants_share_the_key(name: str) -> None:
    assert normalize_name(name.translate(_FULL_WIDTH)) == normalize_name(name)


@given(
    st.text(alphabet=st.sampled_from("鹤壁市天海电子信息系统有限公司 ()（）[]【】ABCabc123.,-&")),
)
def test_bracket_and_width_variants_of_chinese_names_share_the_key(name: str) -> None:
    variant = name.replace("(", "（").replace(")", "）").replace("[", "【").replace("]", "】")
    assert normalize_name(variant.translate(_FULL_WIDTH)) == normalize_name(name)


# --------------------------------------------------------------------------------------------
# display_name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("  海创时代(深圳)医疗科技有限公司 ", "海创时代（深圳）医疗科技有限公司"),
        ("讯飞幻境( 北京 )科技有限公司", "讯飞幻境（北京）科技有限公司"),
        ("Lg Display Co.,  Ltd.", "Lg Display Co., Ltd."),
        ("Choi,  Kil Woong", "Choi, Kil Woong"),
        ("菲利普 诺比劳", "菲利普 诺比劳"),
        ("王珂\u3000\u3000宁芳", "王珂 宁芳"),
        ("ＴＣＬ科技集团股份有限公司", "TCL科技集团股份有限公司"),
        ("Cambricon （Xi'an） Semiconductor Co Ltd", "Cambricon (Xi'an) Semiconductor Co Ltd"),
        ("惠普发展公司，有限责任合伙企业", "惠普发展公司，有限责任合伙企业"),
        ("科大讯飞\u200b股份有限公司", "科大讯飞股份有限公司"),
        ("UniversitÃƒÂ© Laval", "Université Laval"),
        # control characters are invisible: nothing to show
        ("\x7fkabushiki Kaisha Toyota Jidoshokki", "kabushiki Kaisha Toyota Jidoshokki"),
        ("鹤壁天海\x07电子\x1b股份有限公司", "鹤壁天海电子股份有限公司"),
        # a blank between a Chinese name and its bracket (incoPat: "… (日本)")
        ("日商丰田自动织机股份有限公司 (日本)", "日商丰田自动织机股份有限公司（日本）"),
        ("鹤壁市 ( 天海 ) 电子有限公司", "鹤壁市（天海）电子有限公司"),
    ],
)
def test_display_name(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_display_name_keeps_the_key() -> None:
    for raw in ("  海创时代(深圳)医疗科技有限公司 ", "Lg Display Co.,  Ltd.", "ＴＣＬ科技集团股份有限公司"):
        assert normalize_name(display_name(raw)) == normalize_name(raw)


# --------------------------------------------------------------------------------------------
# legal_form
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("鹤壁天海电子信息系统股份有限公司", "股份有限公司"),
        ("成都天钥科技有限公司", "有限公司"),
        ("建信金融科技有限责任公司", "有限责任公司"),
        ("绍兴柯桥斯坦电子科技合伙企业（有限合伙）", "有限合伙"),
        ("惠普发展公司,有限责任合伙企业", "有限责任合伙企业"),
        ("国网江苏省电力有限公司建设分公司", "分公司"),
        ("丰田自动车株式会社", "株式会社"),
        ("株式会社爱信", "株式会社"),
        ("(株)德洪", "株式会社"),
        ("海信集团公司", "公司"),
        ("Lg Display Co.,  Ltd.", "Co Ltd"),
        ("Qualcomm Incorporated", "Inc"),
        ("Intel Corporation", "Corp"),
        ("Gm Global Technology Operations Llc", "LLC"),
        ("Robert Bosch Gesellschaft Mit Beschränkter Haftung", "GmbH"),
        ("Audi Ag", "AG"),
        ("Stmicroelectronics S R L", "SRL"),
        ("Zander Laboratories B V", "BV"),
        ("Purdue Pharma L P", "LP"),
        ("Replimune Limited", "Ltd"),
        ("Huawei Technologies Co Ltd", "Co Ltd"),
        ("Dr. Ing. h.c. F. Porsche GmbH & Co. KG", "GmbH and Co KG"),
        ("NATIMMUNE AS", "AS"),
        ("戴建荣", None),
        ("郑州大学", None),
        ("United States Government As Represented By The Department Of Veterans Affairs", None),
        ("Co., Ltd.", None),
    ],
)
def test_legal_form(name: str, form: str | None) -> None:
    assert legal_form(name) == form


# --------------------------------------------------------------------------------------------
# infer_holder_kind — real names from the exports
# --------------------------------------------------------------------------------------------

REAL_KINDS: dict[str, list[str]] = {
    "enterprise": [
        "成都天钥科技有限公司",
        "科大讯飞股份有限公司",
        "丰田自动车株式会社",
        "株式会社爱信",
        "惠普发展公司,有限责任合伙企业",
        "绍兴柯桥斯坦电子科技合伙企业（有限合伙）",
        "清徐县昌盛达不锈钢加工厂",
        "永恒力集团",
        "广州雅妍时光医疗美容门诊部有限公司",
        "广东电网有限责任公司佛山供电局",  # a company's branch, named by a weak word
        "(株)德洪",
        "Gm Global Technology Operations Llc",
        "Lg Display Co.,  Ltd.",
        "Robert Bosch Gesellschaft Mit Beschränkter Haftung",
        "Audi Ag",
        "Telefonaktiebolaget Lm Ericsson (Publ)",
        "Stmicroelectronics S R L",
        "Purdue Pharma L P",
        "Zander Laboratories B V",
        "Dana Farber Cancer Institute Inc",  # the legal form decides
        "INTERMUNE INC",
        "ONO PHARMACEUTICAL CO",
        "REGENERON PHARMA",
        "NATIMMUNE AS",
    ],
    "university": [
        "郑州大学",
        "郑州科技学院",
        "开封大学",
        "中国人民解放军空军工程大学",
        "中国人民解放军空军工程大学航空机务士官学校",
        "国立大学法人东京大学",
        "伊利诺伊大学理事会",
        "宜昌市第二十五中学",
        "Massachusetts Institute Of Technology",
        "California Institute Of Technology",
        "Nanyang Technological University",
        "The Trustees Of The University Of Pennsylvania",
        "UNIV HONG KONG",
        "HARVARD COLLEGE",
        "연세대학교 산학협력단",
    ],
    "institute": [
        "中科大数据研究院",
        "中国科学院宁波材料技术与工程研究所",
        "宁波慈溪生物医学工程研究所",
        "中国移动通信有限公司研究院",
        "三星电子(中国)研发中心",
        "中国科学院国家空间科学中心",
        "荷兰应用自然科学研究组织",
        "CENTRE NAT RECH SCIENT",
        "PASTEUR INSTITUT",
        "INST NAT SANTE RECH MED",
        "한국화학연구원",
    ],
    "individual": [
        "戴建荣",
        "张成敏",
        "王国强",
        "F·巴瓦斯特罗",
        "迈克尔·J·舒斯特",
        "菲利普 诺比劳",
        "大谷 広海",
        "현지훈",
        "Chennakeshu Sandeep",
        "Choi,  Kil Woong",
        "KILPATRICK LAURIE ELLEN",
        "SMITH JEFFREY T L",
        "VAN DER WERF SYLVIE",
        "Dr S Alagu",
    ],
    "other": [
        "宁夏回族自治区人民医院(宁夏眼科医院、西北民族大学第一附属医院)",
        "浙江大学医学院附属邵逸夫医院",
        "上海市高级人民法院",
        "中国人民解放军63893部队",
        "苏州市公安局苏州工业园区分局",
        "弗劳恩霍夫应用研究促进协会",
        "金华市人民防空办公室",
        "长江三峡通航管理局",
        "建德市疾病预防控制中心(建德市健康教育所)",
        "US HEALTH",
        "PHILADELPHIA CHILDREN HOSPITAL",
        "United States Government As Represented By The Department Of Veterans Affairs",
    ],
}
_REAL_CASES = [(name, kind) for kind, names in REAL_KINDS.items() for name in names]


@pytest.mark.parametrize(("name", "kind"), _REAL_CASES)
def test_infer_holder_kind_on_real_names(name: str, kind: str) -> None:
    assert infer_holder_kind(name) == kind


def _real_names() -> set[str]:
    names: set[str] = set()
    for path in PATENTS_CN.glob("*.csv*"):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("申请人", "标准化申请人", "当前权利人"):
                    names.update(split_applicants(row.get(column)))
    lens = DATA / "patents_intl" / "lens_coronavirus_patents_sars_mers_1588.jsonl.gz"
    with gzip.open(lens, "rt", encoding="utf-8") as handle:
        for line in handle:
            names.update(json.loads(line).get("applicants") or [])
    return names


@needs_data
def test_kind_cases_are_real_names() -> None:
    # the cases above are taken from the files, not made up
    assert len(_REAL_CASES) >= 30
    real = _real_names()
    missing = [name for name, _ in _REAL_CASES if name not in real]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("中国科学院大学", "university"),  # the last word decides
        ("中国科学院", "institute"),
        ("XX研究院有限公司", "enterprise"),
        ("北京市疾病预防控制中心", "other"),
        ("鹤壁市科学技术局", "other"),
        ("鹤壁市知识产权协会", "other"),
        ("鹤壁市浚县农民专业合作社", "enterprise"),
        ("张小军", "individual"),  # 军 in a personal name is no military unit
        ("鹤壁市淇滨区兴达五金门市部", "enterprise"),  # shops of 个体工商户
        ("浚县明亮家电维修服务部", "enterprise"),
        ("淇县宏达机械加工部", "enterprise"),
        ("Renault", "other"),  # no signal: an officer decides
        ("Toyota Kabushiki Kaisha", "enterprise"),
        ("Sia Fixar Aero", "enterprise"),
    ],
)
def test_infer_holder_kind_rules(name: str, kind: str) -> None:
    assert infer_holder_kind(name) == kind


# --------------------------------------------------------------------------------------------
# the benchmark's scorer (bench/entity_resolution.py, imported by path: bench is no package)
# --------------------------------------------------------------------------------------------


BENCH_FILE = "pv_nber_subset_assignees_benchmark.csv.gz"


def _bench() -> ModuleType:
    path = REPO / "bench" / "entity_resolution.py"
    spec = importlib.util.spec_from_file_location("bench_entity_resolution", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_pairwise_scores_hand_computed() -> None:
    pairwise_scores = _bench().pairwise_scores
    # truth {0,1,2} {3,4}; predicted {0,1} {2,3,4}
    # cells: (p1,a)=2 (p2,a)=1 (p2,b)=2 → TP = C(2,2)+C(1,2)+C(2,2) = 2
    # predicted pairs = C(2,2)+C(3,2) = 4; true pairs = C(3,2)+C(2,2) = 4
    assert pairwise_scores(["a", "a", "a", "b", "b"], [1, 1, 2, 2, 2]) == (0.5, 0.5, 0.5)
    # truth {0,1,2} {3}; predicted {0,1} {2,3}: TP 1, predicted pairs 2, true pairs 3
    precision, recall, f1 = pairwise_scores(["a", "a", "a", "b"], [1, 1, 2, 2])
    assert (precision, recall) == (0.5, 1 / 3)
    assert f1 == pytest.approx(0.4)
    assert pairwise_scores(["a", "a", "b"], ["x", "x", "y"]) == (1.0, 1.0, 1.0)
    # all singletons predicted: nothing claimed (precision 1), every true pair missed
    assert pairwise_scores(["a", "a", "b"], [1, 2, 3]) == (1.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        pairwise_scores(["a"], [1, 2])


@pytest.mark.skipif(not (DATA / "entity_resolution").is_dir(), reason="../shared/data is not present")
def test_benchmark_runs_and_normalization_beats_raw_matching(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    bench.main(["--limit", "2000", "--data", str(DATA / "entity_resolution" / BENCH_FILE)])
    out = capsys.readouterr().out
    assert "raw exact match" in out and "normalize_name" in out
    truth, names = bench.read_mentions(DATA / "entity_resolution" / BENCH_FILE, 2000)
    raw = bench.pairwise_scores(truth, names)
    normalized = bench.pairwise_scores(truth, [normalize_name(name) for name in names])
    assert normalized[0] > 0.95  # precision: never merge different organisations
    assert normalized[1] > raw[1]  # recall gained over exact matching
