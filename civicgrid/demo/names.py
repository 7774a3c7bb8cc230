"""Generated Chinese names for demo people and places. Every person is made up from a surname list and
given-name characters; nothing here names a real person."""

from __future__ import annotations

import random
from itertools import accumulate

# Common surnames, most frequent first; weights fall off so that 王/李/张/刘 dominate as in life.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁"
    "魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武"
    "乔贺赖龚文关齐佟隋鲁付滕闫"
)
SURNAME_WEIGHTS = [1.0 / (1 + i * 0.12) for i in range(len(SURNAMES))]
_SURNAME_CUMULATIVE = list(accumulate(SURNAME_WEIGHTS))  # what choices(weights=…) would work out per call

MALE_CHARS = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
FEMALE_CHARS = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"

# Place-name words for communities, estates and villages (generic, used all over China).
COMMUNITY_WORDS = [
    "和平", "友谊", "团结", "建设", "胜利", "前进", "光明", "幸福", "繁荣", "振兴", "兴隆", "富强", "东风", "红旗",
    "朝阳", "向阳", "春华", "育才", "民主", "铁西", "南郊", "北园", "东山", "西园", "新风", "长青", "南华", "文化",
    "石化", "化纤", "实业", "龙鼎", "新村", "园林", "庆阳", "德兴", "华夏", "瑞安", "汇通", "怡和", "锦绣", "明珠",
    "滨河", "金河", "银杏", "丰泽", "景华", "安康", "和谐", "兴华", "望水", "双拥",
]
VILLAGE_WORDS = [
    "曙光", "前进", "东沙", "西沙", "王家", "刘家", "何家", "高家", "小屯", "新立", "兴隆", "大房身", "黄家",
    "沙坨", "孟家", "河东", "太平", "三合", "双庙", "腰屯", "后屯", "前屯", "旺兴",
]
ESTATE_SUFFIXES = ["小区", "家园", "花园", "苑", "新城", "里", "公寓", "佳园"]
ROAD_WORDS = [
    "文圣路", "新华路", "光华路", "长征路", "工农路", "曙光路", "庆阳路", "南环路", "北环路", "繁荣路", "振兴路",
    "石化路", "化工路", "富强街", "胜利街", "育才街", "民主街", "兴隆街", "太子河路", "高新大街", "创业路", "科技路",
]
ENTERPRISE_WORDS = ["石化", "化纤", "精细化工", "新材料", "机械", "装备", "电子", "生物", "能源", "环保", "物流", "仓储"]


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(chars) if rng.random() < 0.35 else rng.choice(chars) + rng.choice(chars)
    return surname + given


def child_name(rng: random.Random, surname: str, gender: str) -> str:
    chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
    given = rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars)
    return surname + given


def surname_of(name: str) -> str:
    return name[0]


def take_unique(rng: random.Random, words: list[str], n: int) -> list[str]:
    """`n` distinct words in a seeded order, numbered when the pool runs out."""
    pool = words[:]
    rng.shuffle(pool)
    return [pool[i % len(pool)] + ("" if i < len(pool) else str(i // len(pool) + 1)) for i in range(n)]


def chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
