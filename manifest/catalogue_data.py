"""Reference tables for the waste catalogue; the rules that use them are in ``catalogue``.

Sources: the National Hazardous Waste List (国家危险废物名录, 2021 edition) for categories
and hazard characteristics; the Solid Waste Classification and Code Catalogue (固体废物分类
与代码目录, 2024) for the ``S`` category ranges; the Basel Convention Annex IV and the EU
Waste Framework Directive Annexes I and II for treatment operations. English names and all
operation descriptions are our own wording, not official translations.
"""

from __future__ import annotations

from typing import NamedTuple


class Named(NamedTuple):
    zh: str
    en: str


#: The 46 categories of the hazardous waste list. HW41–HW44 were withdrawn in earlier
#: revisions and are not in use.
HW_CATEGORIES: dict[str, Named] = {
    "HW01": Named("医疗废物", "Medical waste"),
    "HW02": Named("医药废物", "Pharmaceutical manufacturing waste"),
    "HW03": Named("废药物、药品", "Discarded medicines and drugs"),
    "HW04": Named("农药废物", "Pesticide waste"),
    "HW05": Named("木材防腐剂废物", "Wood preservative waste"),
    "HW06": Named("废有机溶剂与含有机溶剂废物", "Waste organic solvents and solvent-bearing waste"),
    "HW07": Named("热处理含氰废物", "Cyanide-bearing heat-treatment waste"),
    "HW08": Named("废矿物油与含矿物油废物", "Waste mineral oil and oil-bearing waste"),
    "HW09": Named(
        "油/水、烃/水混合物或乳化液", "Oil/water, hydrocarbon/water mixtures or emulsions"
    ),
    "HW10": Named("多氯（溴）联苯类废物", "Polychlorinated (polybrominated) biphenyl waste"),
    "HW11": Named("精（蒸）馏残渣", "Distillation residues"),
    "HW12": Named("染料、涂料废物", "Dye and paint waste"),
    "HW13": Named("有机树脂类废物", "Organic resin waste"),
    "HW14": Named("新化学物质废物", "New chemical substance waste"),
    "HW15": Named("爆炸性废物", "Explosive waste"),
    "HW16": Named("感光材料废物", "Photosensitive material waste"),
    "HW17": Named("表面处理废物", "Surface treatment waste"),
    "HW18": Named("焚烧处置残渣", "Incineration residues"),
    "HW19": Named("含金属羰基化合物废物", "Metal carbonyl waste"),
    "HW20": Named("含铍废物", "Beryllium-bearing waste"),
    "HW21": Named("含铬废物", "Chromium-bearing waste"),
    "HW22": Named("含铜废物", "Copper-bearing waste"),
    "HW23": Named("含锌废物", "Zinc-bearing waste"),
    "HW24": Named("含砷废物", "Arsenic-bearing waste"),
    "HW25": Named("含硒废物", "Selenium-bearing waste"),
    "HW26": Named("含镉废物", "Cadmium-bearing waste"),
    "HW27": Named("含锑废物", "Antimony-bearing waste"),
    "HW28": Named("含碲废物", "Tellurium-bearing waste"),
    "HW29": Named("含汞废物", "Mercury-bearing waste"),
    "HW30": Named("含铊废物", "Thallium-bearing waste"),
    "HW31": Named("含铅废物", "Lead-bearing waste"),
    "HW32": Named("无机氟化物废物", "Inorganic fluoride waste"),
    "HW33": Named("无机氰化物废物", "Inorganic cyanide waste"),
    "HW34": Named("废酸", "Waste acids"),
    "HW35": Named("废碱", "Waste alkalis"),
    "HW36": Named("石棉废物", "Asbestos waste"),
    "HW37": Named("有机磷化合物废物", "Organophosphorus compound waste"),
    "HW38": Named("有机氰化物废物", "Organic cyanide waste"),
    "HW39": Named("含酚废物", "Phenol-bearing waste"),
    "HW40": Named("含醚废物", "Ether-bearing waste"),
    "HW45": Named("含有机卤化物废物", "Organohalogen compound waste"),
    "HW46": Named("含镍废物", "Nickel-bearing waste"),
    "HW47": Named("含钡废物", "Barium-bearing waste"),
    "HW48": Named("有色金属采选和冶炼废物", "Non-ferrous metal mining and smelting waste"),
    "HW49": Named("其他废物", "Other waste"),
    "HW50": Named("废催化剂", "Spent catalysts"),
}

#: Hazard characteristics, in the order the list prints them.
HAZARDS: dict[str, Named] = {
    "T": Named("毒性", "toxicity"),
    "C": Named("腐蚀性", "corrosivity"),
    "I": Named("易燃性", "ignitability"),
    "R": Named("反应性", "reactivity"),
    "In": Named("感染性", "infectivity"),
}

PHYSICAL_FORMS: dict[str, Named] = {
    "S": Named("固态", "solid"),
    "SS": Named("半固态", "semi-solid"),
    "L": Named("液态", "liquid"),
    "G": Named("气态", "gas"),
}

UNIT_NAMES: dict[str, Named] = {
    "t": Named("吨", "tonne"),
    "kg": Named("千克", "kilogram"),
    "m3": Named("立方米", "cubic metre"),
    "pcs": Named("件", "container"),
}

#: Recovery (R) and disposal (D) operations, Basel Convention Annex IV / EU WFD Annexes.
OPERATIONS: dict[str, Named] = {
    "R1": Named("主要用作燃料或以其他方式产生能量", "Used mainly as a fuel or to generate energy"),
    "R2": Named("溶剂回收或再生", "Solvent reclamation or regeneration"),
    "R3": Named(
        "非溶剂类有机物的回收利用（含堆肥等生物转化）",
        "Recycling of organic substances not used as solvents, composting included",
    ),
    "R4": Named("金属及金属化合物的回收利用", "Recycling of metals and metal compounds"),
    "R5": Named("其他无机物的回收利用", "Recycling of other inorganic materials"),
    "R6": Named("酸或碱的再生", "Regeneration of acids or bases"),
    "R7": Named("回收污染治理所用的组分", "Recovery of components used for pollution abatement"),
    "R8": Named("从催化剂中回收组分", "Recovery of components from catalysts"),
    "R9": Named("废油再精炼或其他再利用", "Re-refining or other reuse of used oil"),
    "R10": Named(
        "有益于农业或生态改良的土地处理", "Land treatment benefiting agriculture or the ecology"
    ),
    "R11": Named("利用R1–R10所得的残余物", "Use of residues obtained from R1–R10"),
    "R12": Named("为进行R1–R11而交换废物", "Exchange of waste for submission to R1–R11"),
    "R13": Named("进行R1–R12之前的暂存", "Storage pending any of R1–R12"),
    "D1": Named("置于地下或地上（如填埋）", "Deposit into or onto land, e.g. landfill"),
    "D2": Named(
        "土地处理（如液体或污泥在土壤中生物降解）",
        "Land treatment, e.g. biodegradation of liquids or sludge in soil",
    ),
    "D3": Named("深井注入", "Deep injection"),
    "D4": Named("地表贮留（坑、塘、池）", "Surface impoundment in pits, ponds or lagoons"),
    "D5": Named("特别设计的填埋（防渗隔离单元）", "Specially engineered landfill in sealed cells"),
    "D6": Named("排入海洋以外的水体", "Release into water bodies other than seas or oceans"),
    "D7": Named(
        "排入海洋（含埋入海床）", "Release into seas or oceans, sea-bed insertion included"
    ),
    "D8": Named(
        "其他生物处理，残余物按D1–D12处置",
        "Biological treatment not listed elsewhere, residues to D1–D12",
    ),
    "D9": Named(
        "其他物理化学处理（如蒸发、干化、煅烧）",
        "Physico-chemical treatment not listed elsewhere, e.g. evaporation, drying, calcination",
    ),
    "D10": Named("陆上焚烧", "Incineration on land"),
    "D11": Named("海上焚烧", "Incineration at sea"),
    "D12": Named("永久贮存（如容器置于矿井）", "Permanent storage, e.g. containers in a mine"),
    "D13": Named("进行D1–D12之前的掺混", "Blending or mixing before any of D1–D12"),
    "D14": Named("进行D1–D13之前的重新包装", "Repackaging before any of D1–D13"),
    "D15": Named("进行D1–D14之前的暂存", "Storage pending any of D1–D14"),
}

#: Operations that put sludge on land: agricultural or ecological use (R10) and land
#: treatment as disposal (D2). Such sludge needs a heavy-metal compliance document.
LAND_APPLICATION_OPERATIONS: frozenset[str] = frozenset({"R10", "D2"})

#: First-level kinds of the solid waste catalogue by ``S`` category number (inclusive
#: ranges). S08 is not assigned.
S_CATEGORY_RANGES: tuple[tuple[int, int, str], ...] = (
    (1, 59, "industrial"),
    (60, 69, "household"),
    (70, 79, "construction"),
    (80, 89, "agricultural"),
    (90, 99, "other"),
)
S_CATEGORIES_NOT_IN_USE: frozenset[int] = frozenset({8})
S_KIND_NAMES: dict[str, Named] = {
    "industrial": Named("工业固体废物", "industrial solid waste"),
    "household": Named("生活垃圾", "household waste"),
    "construction": Named("建筑垃圾", "construction waste"),
    "agricultural": Named("农业固体废物", "agricultural solid waste"),
    "other": Named("其他固体废物", "other solid waste"),
}
