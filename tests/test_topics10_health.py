"""Public-health and disaster decisions that generalize (issue 13, branch topics10).

Each test is one decision of the labelling guide (docs/labelling.md), on releases
written for these tests (none copied from a release): health measures as their
own vocabulary (decisions 5, 11, 13), blood drives in the headline against a
round-up of a royal occasion (decision 4), relief headlines that make COVID-19
the circumstance (decision 5), man-made hazards (decisions 20, 23), an
instruction to prepare for a hazard in a release on something else (decision 3,
clarification 11), and an office title as an actor (decision 4).
"""
from __future__ import annotations

from kb import taxonomy
from kb.extract import extract
from kb.extract.topic_hits import EXTRACTION_TERMS, topic_hits
from kb.models import RawDocument

# A release mostly about no topic: a provincial meeting on the local economy.
_MEETING = [f"ผู้ว่าราชการจังหวัดมอบแนวทางที่ {n} ด้านการพัฒนาเศรษฐกิจฐานรากและการท่องเที่ยวชุมชนให้ทุกอำเภอ" for n in range(1, 19)]
_VISIT = ("รัฐมนตรีตรวจเยี่ยมการฝึกอาชีพของแรงงานในจังหวัด พร้อมรับฟังปัญหาของผู้ประกอบการรายย่อย"
          "และมอบแนวทางการพัฒนาฝีมือแรงงานให้สอดคล้องกับความต้องการของตลาด")


def _release(title: str, paragraphs: list[str]) -> list[str]:
    raw = RawDocument(title=title, text="\n".join(paragraphs), date_hint="2024-01-10", type_hint="news")
    return extract(raw, "release").topics


def _entry(topic: str, name: str) -> dict:
    return next(t for t in taxonomy.topics() if t["key"] == topic).get(name, {})


def test_a_health_measure_named_by_its_own_words_is_public_health():
    """Decisions 5 and 11: quarantine, a field hospital, screening are measures on the
    disease even when the release never names an epidemic by a term of the topic."""
    quarantine = ("แรงงานไทยที่เดินทางกลับจากต่างประเทศทุกคนต้องเข้าสถานที่กักกันที่รัฐจัดให้เป็นเวลา 14 วัน "
                  "โดยเจ้าหน้าที่จะรับตัวจากท่าอากาศยานไปยังที่พักทันที")
    assert _release("กระทรวงแรงงานดูแลแรงงานไทยที่เดินทางกลับประเทศ", [_VISIT, quarantine]) == ["public-health"]
    field = "กองทัพภาคที่ 2 จัดตั้งโรงพยาบาลสนามในค่ายทหาร รองรับผู้ป่วยได้วันละ 50 ราย พร้อมทีมแพทย์และพยาบาลตลอด 24 ชั่วโมง"
    assert _release("แม่ทัพภาคที่ 2 สั่งการหน่วยในพื้นที่", [_VISIT, field]) == ["public-health"]
    # Without the measure the same release is about no topic.
    assert _release("กระทรวงแรงงานดูแลแรงงานไทยที่เดินทางกลับประเทศ", [_VISIT]) == []


def test_detention_and_a_namesake_hospital_are_no_health_measure():
    """Decision 4 (namesake): foreigners held pending deportation are detained, not quarantined;
    a hospital named for a district (สนามชัยเขต) is no field hospital."""
    held = ("เจ้าหน้าที่ดูแลคนต่างด้าวที่ถูกกักตัวระหว่างรอการส่งกลับประเทศต้นทาง "
            "และตรวจสอบเอกสารของนายจ้างในพื้นที่อย่างเข้มงวด")
    assert "public-health" not in _release("อธิบดีลงพื้นที่ติดตามการทำงานของสำนักงานจัดหางานจังหวัด", [_VISIT, held])
    hits = topic_hits("ผู้ป่วยเดินทางไปตรวจที่โรงพยาบาลสนามชัยเขตเป็นประจำทุกเดือนตามนัดของแพทย์")
    assert not [h for h in hits if h.topic == "public-health" and h.strong]


def test_a_blood_drive_in_the_headline_is_public_health_one_stop_of_a_royal_round_up_is_not():
    """A blood drive the headline is about is a health campaign (emergency medicine);
    the same words as one stop of a round-up of what the provinces did for a royal
    birthday are an entry of a list (decision 4), so ``lead`` terms count only in the
    headline and the lead."""
    drive = ["กำลังพลจิตอาสาร่วมบริจาคโลหิตให้โรงพยาบาลจังหวัด ช่วยผู้ป่วยที่รอรับการผ่าตัดในช่วงที่โลหิตขาดแคลน",
             "ผู้บังคับหน่วยกล่าวว่าจะจัดกิจกรรมนี้ต่อเนื่องทุกสามเดือนเพื่อให้ธนาคารเลือดมีโลหิตสำรองเพียงพอ"]
    assert _release("ทหารจิตอาสาบริจาคโลหิตช่วยผู้ป่วยฉุกเฉิน", drive) == ["public-health"]
    stops = [f"จังหวัดที่ {n} ประชาชนร่วมทำบุญตักบาตรและปลูกต้นไม้ถวายเป็นพระราชกุศลที่ศาลากลางจังหวัดอย่างพร้อมเพรียง"
             for n in range(1, 12)]
    stop = "ส่วนอีกจังหวัดหนึ่งเหล่ากาชาดจังหวัดร่วมกับโรงพยาบาลจังหวัดออกหน่วยรับบริจาคโลหิตถวายเป็นพระราชกุศล"
    assert "public-health" not in _release("ประชาชนทั่วประเทศร่วมประกอบพิธีเฉลิมพระเกียรติ", [*stops, stop])
    # One activity of a run in the headline itself is an entry of that list too.
    run = "ผู้ว่าราชการจังหวัดนำประชาชนร่วมกิจกรรมทำบุญตักบาตร-ปล่อยปลา-บริจาคโลหิต ถวายเป็นพระราชกุศล"
    assert "public-health" not in _release(run, [run, *stops[:3]])


def test_covid_in_a_relief_headline_is_the_circumstance():
    """Decision 5: aid bags, compensation or easing hardship "from COVID-19" is economic
    relief, however often the disease is named; a measure on the disease itself still counts."""
    title = "รัฐมนตรีมอบถุงยังชีพบรรเทาความเดือดร้อนจากโควิด-19 แก่ผู้ขับรถรับจ้าง"
    body = ["รัฐมนตรีมอบถุงยังชีพจำนวน 500 ชุด แก่สมาชิกสมาคมผู้ขับรถรับจ้างที่ขาดรายได้จากสถานการณ์โควิด-19",
            "สมาคมขอบคุณรัฐบาลที่ช่วยเหลือผู้ได้รับผลกระทบจากการแพร่ระบาดของโรคโควิด-19 อย่างต่อเนื่อง",
            "ถุงยังชีพประกอบด้วยข้าวสาร อาหารแห้ง และน้ำดื่ม สำหรับครอบครัวละหนึ่งชุด"]
    assert "public-health" not in _release(title, body)
    measure = ("นอกจากนี้ กระทรวงได้จัดตั้งศูนย์ตรวจคัดกรองโรคให้ผู้ขับรถรับจ้างทุกคนโดยไม่เสียค่าใช้จ่าย "
               "และจัดหา Hospitel รองรับผู้ที่ตรวจพบเชื้อ")
    assert "public-health" in _release(title, [*body, measure])
    # A headline on the disease itself is no relief headline.
    assert "public-health" in _release("รัฐมนตรีสั่งการเร่งฉีดวัคซีนโควิด-19 ให้ผู้ขับรถรับจ้าง", body)


def test_man_made_hazards_and_weather_are_disasters():
    """Decisions 20 and 23, and the topic's definition (man-made hazards): a fireworks-factory
    explosion, arsenic in a river, El Niño."""
    blast = ["เกิดเหตุโรงงานพลุระเบิดในอำเภอเมือง มีผู้เสียชีวิตและบาดเจ็บหลายราย "
             "รัฐมนตรีสั่งการให้จังหวัดดูแลครอบครัวผู้เสียชีวิตและเร่งเก็บกู้วัตถุอันตรายในพื้นที่"]
    assert _release("รัฐมนตรีติดตามเหตุระเบิดที่จังหวัด", blast) == ["disaster"]
    arsenic = ["ตรวจพบสารหนูเกินค่ามาตรฐานในแม่น้ำสายหลัก รัฐมนตรีสั่งให้หน่วยงานเฝ้าระวัง "
               "แจ้งเตือนประชาชนงดใช้น้ำจากแม่น้ำ และเก็บตัวอย่างน้ำทุกวัน"]
    assert _release("รัฐมนตรีสั่งหน่วยงานเฝ้าระวังคุณภาพน้ำในแม่น้ำ", arsenic) == ["disaster"]


def test_an_instruction_to_prepare_for_a_hazard_is_a_measure_not_a_passing_remark():
    """Decision 3 and clarification 11: one sentence that tells officials to prepare for a
    drought is an instruction of its own, even in a long release about something else; the
    same hazard named as the season of another subject is a passing remark."""
    prepare = ("ขอให้ทุกจังหวัดเตรียมพร้อมรับสถานการณ์ภัยแล้งที่คาดว่าจะรุนแรงกว่าปีที่ผ่านมา "
               "โดยสำรวจแหล่งน้ำและจัดรถบรรทุกน้ำให้พร้อม")
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, prepare]) == ["disaster"]
    season = ("ผู้ประกอบการบางรายกล่าวว่ายอดขายสินค้าหัตถกรรมลดลงในช่วงภัยแล้งของปีที่ผ่านมา "
              "แต่ปีนี้คาดว่าจะดีขึ้นตามการท่องเที่ยวของจังหวัด")
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, season]) == []


def test_a_deputy_secretarys_title_is_an_actor():
    """Decision 4: the disaster word in the title of the deputy permanent secretary who heads
    the disaster and urban-development group names who attended, not the subject."""
    attended = ("ในพิธีมีรองปลัดกระทรวงมหาดไทย หัวหน้ากลุ่มภารกิจด้านสาธารณภัยและพัฒนาเมือง "
                "และผู้บริหารกระทรวงร่วมพิธีถวายสัตย์ปฏิญาณเพื่อเป็นข้าราชการที่ดีและพลังของแผ่นดิน")
    assert "disaster" not in _release("ปลัดกระทรวงนำข้าราชการร่วมพิธีถวายสัตย์ปฏิญาณ", [_VISIT, attended])


def test_the_new_term_lists_stay_out_of_the_segmenter_dictionary():
    """Measures, hazards and lead terms are read by extraction only: a new dictionary word
    would change how every index is segmented."""
    dictionary = set(taxonomy.dictionary_terms())
    added = [term for t in taxonomy.topics() for entry in EXTRACTION_TERMS[1:]
             for kind, terms in t.get(entry, {}).items() if not kind.startswith("_") for term in terms]
    assert added and _entry("public-health", "measures") and _entry("disaster", "hazards")
    listed = {term for t in taxonomy.topics() for term in (*t["strong"], *t["weak"])}
    assert not [term for term in added if term in dictionary and term not in listed]


# Second round (branch topics14): the kinds that recurred across train4, train3 and the older sets.

# About 700 characters on no topic, so that what follows stands past the lead (``pair_lead_chars``).
_LONG_OPENING = [_VISIT, *_MEETING[:6]]


def test_a_disease_a_campaign_or_a_warning_is_about_is_public_health():
    """Decisions 5 and 11 and the key's definition (health campaigns): a campaign against stroke,
    a meeting on preventing HIV, a heat-stroke warning name the disease, not a measure word,
    and the release is about it; without the disease the same release is about no topic."""
    walk = ["ปลัดกระทรวงเชิญชวนข้าราชการและประชาชนทุกจังหวัดร่วมกิจกรรมเดิน วิ่ง ปั่น "
            "ตั้งเป้าผู้ร่วมกิจกรรมหนึ่งล้านคน และให้ความรู้แก่ประชาชนเรื่องการออกกำลังกายทุกวัน"]
    assert _release("ปลัดกระทรวงชวนประชาชนเดิน วิ่ง ปั่น ป้องกันโรคหลอดเลือดสมอง", walk) == ["public-health"]
    assert _release("ปลัดกระทรวงชวนประชาชนเดิน วิ่ง ปั่น เฉลิมพระเกียรติ", walk) == []
    hiv = ["กรมสวัสดิการและคุ้มครองแรงงานจัดการประชุมร่วมกับภาคธุรกิจ ตั้งเป้าไม่มีผู้ติดเชื้อเอชไอวีรายใหม่ในสถานประกอบการ "
           "และไม่มีการเลือกปฏิบัติต่อลูกจ้าง"]
    assert "public-health" in _release("กระทรวงแรงงานจับมือภาคธุรกิจป้องกันและควบคุม HIV/AIDS ในที่ทำงาน", hiv)


def test_a_common_illness_deep_in_the_body_is_a_harm_named_in_passing():
    """Clarification 11: a common illness named deep in the body as the harm of something else
    (vaping causes cancer and diabetes) is a clause; the same illness in the headline of a
    warning is its subject, so these illnesses are ``lead`` terms."""
    raid = ("เจ้าหน้าที่ย้ำว่าบุหรี่ไฟฟ้าเป็นสินค้าผิดกฎหมาย ผู้สูบเสี่ยงต่อโรคมะเร็งและเบาหวาน "
            "หากพบการลักลอบจำหน่ายขอให้แจ้งศูนย์ดำรงธรรมจังหวัด")
    assert "public-health" not in _release("ฝ่ายปกครองตรวจค้นร้านค้าในอำเภอเมือง", [*_LONG_OPENING, raid])
    warning = ["ช่วงฤดูฝนประชาชนควรสังเกตอาการของตนเอง หากมีไข้สูงควรพบแพทย์ที่โรงพยาบาลใกล้บ้าน"]
    assert _release("เช็คอาการหน้าฝน ภูมิแพ้ หรือ ไข้หวัด", warning) == ["public-health"]
    deep = [h for h in topic_hits("\n".join(["หัวข้อข่าว", *_LONG_OPENING, raid])) if h.term == "มะเร็ง"]
    assert deep and not any(h.strong for h in deep)


def test_a_mobile_medical_unit_the_headline_is_about_is_a_health_service():
    """Decisions 5 and 11 (health services): a province sending a mobile medical unit to remote
    villages is public health; the unit recalled deep in a long history is weak there."""
    service = ["แพทย์และพยาบาลตรวจรักษาโรคทั่วไป ถอนฟัน และให้คำปรึกษาแก่ประชาชนกว่า 600 ราย "
               "พร้อมมอบยาสามัญประจำบ้านแก่ครัวเรือนในหมู่บ้าน"]
    assert _release("จังหวัดนำหน่วยแพทย์ออกให้บริการประชาชนในพื้นที่ห่างไกล", service) == ["public-health"]
    recalled = "เมื่อห้าสิบปีก่อนพระองค์ทรงจัดตั้งหน่วยแพทย์อาสาออกไปดูแลราษฎรในถิ่นทุรกันดาร"
    hits = [h for h in topic_hits("\n".join(["หัวข้อข่าว", *_LONG_OPENING, recalled])) if h.term == "หน่วยแพทย์"]
    assert hits and not any(h.strong for h in hits)


def test_a_job_abroad_and_its_host_countrys_quarantine_are_no_thai_health_measure():
    """Decision 2 (Thai workers abroad) and decision 5: the quarantine and the tests the host
    country requires are terms of the placement when the headline is about Thais going abroad
    to work; Thai officials screening workers who come home is a health measure."""
    costs = ["บริษัทนายจ้างรับผิดชอบค่าที่พักในสถานที่กักตัว 14 วัน ค่าตรวจหาเชื้อโควิด-19 "
             "และค่าตั๋วเครื่องบินของแรงงานไทยที่ผ่านการคัดเลือกทุกคน",
             "ผู้สนใจยื่นใบสมัครได้ที่สำนักงานจัดหางานจังหวัดทุกแห่งภายในวันที่ 7 มกราคม"]
    assert "public-health" not in _release("ข่าวดี ไต้หวันรับสมัครแรงงานไทยไปทำงานโรงงาน 15 อัตรา", costs)
    home = ["ด่านตรวจคนเข้าเมืองตรวจหาเชื้อโควิด-19 แรงงานไทยทุกคนที่เดินทางกลับ "
            "และนำส่งสถานที่กักตัวของรัฐเป็นเวลา 14 วัน"]
    assert "public-health" in _release("รัฐมนตรีห่วงแรงงานไทยเดินทางกลับจากไต้หวัน สั่งด่านดูแลใกล้ชิด", home)


def test_easing_the_disease_control_measures_is_no_measure_on_the_disease():
    """Decisions 5 and 13: hiring more migrant workers after the disease-control measures are
    eased eases the economy, it is no measure on the disease."""
    eased = ["คณะรัฐมนตรีเห็นชอบให้นายจ้างนำเข้าแรงงานต่างด้าวเพิ่มเติม เพื่อฟื้นฟูประเทศภายหลังการผ่อนคลาย"
             "มาตรการป้องกันและควบคุมโรคติดเชื้อไวรัสโคโรนา 2019 และแก้ปัญหาการขาดแคลนแรงงาน"]
    assert _release("ครม.เห็นชอบแก้ปัญหาขาดแคลนแรงงานต่างด้าว", eased) == ["migration"]


# Third round (branch topics16): courtesy calls, sustainability headlines, flood victims.

_THANKS = ("ในโอกาสนี้ รองปลัดกระทรวงได้กล่าวขอบคุณรัฐบาลของประเทศผู้มาเยือนที่สนับสนุนวัคซีนป้องกันโควิด-19 "
           "ให้แก่ประเทศไทย และหวังว่าสถานการณ์การแพร่ระบาดของโรคโควิด-19 จะคลี่คลายโดยเร็ว")
_DEFENCE = ("ทั้งสองฝ่ายหารือแนวทางความร่วมมือด้านการทหาร การฝึกศึกษา และการแลกเปลี่ยนการเยือนระดับสูง "
            "ซึ่งเป็นพื้นฐานสำคัญของความสัมพันธ์อันดีระหว่างกองทัพของทั้งสองประเทศ")


def test_health_talk_in_a_courtesy_call_is_no_public_health():
    """Decisions 4 and 27, clarification 11: an attaché paying a courtesy call who is thanked for
    vaccines, with good wishes on the epidemic, is the visit's talk; the headline names no health
    subject.  A visit whose headline is about health cooperation still counts."""
    call = "ผู้ช่วยทูตฝ่ายทหารประจำประเทศไทยเข้าเยี่ยมคำนับรองปลัดกระทรวงกลาโหมเพื่ออำลาในโอกาสครบวาระ"
    assert "public-health" not in _release(call, [_DEFENCE, _THANKS])
    health = "เอกอัครราชทูตเข้าเยี่ยมคำนับรัฐมนตรี หารือความร่วมมือด้านวัคซีนป้องกันโควิด-19"
    assert "public-health" in _release(health, [_DEFENCE, _THANKS])
    # The same paragraphs under a headline that is no courtesy call are read as before.
    assert "public-health" in _release("รองปลัดกระทรวงกลาโหมหารือความร่วมมือกับผู้ช่วยทูตฝ่ายทหาร", [_DEFENCE, _THANKS])


def test_floods_a_farming_plot_prevents_are_its_purpose():
    """Decisions 4 and 9: a sufficiency-farming plot praised for keeping floods and drought away
    is a project whose purpose names the hazards, not a release about disasters; a headline on
    the flood itself is."""
    plot = ["ปลัดกระทรวงชื่นชมเจ้าของแปลงที่ขุดหนองเก็บน้ำและปลูกไม้ยืนต้นหลายระดับ ทำให้พื้นที่ไม่มีปัญหาน้ำท่วม"
            "ในหน้าฝนและไม่มีภัยแล้งในหน้าแล้ง",
            "พร้อมกล่าวว่าครัวเรือนต้นแบบจะเป็นแหล่งเรียนรู้ให้ชุมชนนำหลักทฤษฎีใหม่ไปปรับใช้ในพื้นที่ของตนเอง"]
    assert "disaster" not in _release("ปลัดกระทรวงเยี่ยมแปลงโคก หนอง นา ต้นแบบของตำบล", plot)
    assert "disaster" in _release("ปลัดกระทรวงติดตามสถานการณ์น้ำท่วมในตำบล", plot)


def test_help_to_people_affected_by_a_flood_is_relief():
    """Decision 7: people affected by a flood (ได้รับผลกระทบจากอุทกภัย) are its victims and moving
    them out is relief; the time-frame reading ("affected by the epidemic") stays for the others."""
    rangers = ["กองกำลังทหารพรานจัดกำลังพลช่วยเหลือประชาชนที่ได้รับผลกระทบจากอุทกภัยในพื้นที่อำเภอ "
               "โดยขนย้ายผู้สูงอายุและทรัพย์สินไปยังที่ปลอดภัยตั้งแต่เช้ามืด"]
    assert _release("ทหารพรานช่วยเหลือประชาชนในพื้นที่อำเภอ", rangers) == ["disaster"]
    hits = topic_hits("ผู้ประกอบการที่ได้รับผลกระทบจากโควิด-19 จะได้รับสินเชื่อดอกเบี้ยต่ำจากธนาคารของรัฐ")
    assert not [h for h in hits if h.topic == "public-health" and h.strong]


def test_a_chemical_leak_is_a_hazard():
    """The topic's definition (chemical accidents): a chemical leak from a plant whose fumes reach
    the nearby homes is a man-made hazard, as a fireworks-factory blast is (decision 20)."""
    leak = ["เกิดเหตุสารเคมีรั่วไหลจากโรงงานในนิคมอุตสาหกรรม กลิ่นฉุนลอยไปถึงชุมชนใกล้เคียง "
            "รัฐมนตรีส่งทีมเฉพาะกิจลงพื้นที่ตรวจสอบและให้ประชาชนออกจากรัศมีหนึ่งกิโลเมตร"]
    assert _release("รัฐมนตรีส่งทีมเฉพาะกิจลงพื้นที่โรงงาน", leak) == ["disaster"]


def test_the_disaster_fund_for_victims_of_fighting_at_the_border_names_no_hazard():
    """Decision 16: help paid from the disaster-victims fund to the family of a villager killed in
    fighting at the border answers armed clashes, no natural or man-made hazard."""
    fund = ["จังหวัดมอบเงินกองทุนช่วยเหลือผู้ประสบสาธารณภัยให้แก่ครอบครัวผู้เสียชีวิต จำนวน 800,000 บาท "
            "รวมถึงเงินเยียวยาตามระเบียบว่าด้วยการป้องกันและบรรเทาสาธารณภัย"]
    assert "disaster" not in _release("รัฐมนตรีร่วมพิธีศพชาวบ้านที่เสียชีวิตจากการปะทะบริเวณชายแดน", fund)
    assert "disaster" in _release("รัฐมนตรีร่วมพิธีศพชาวบ้านที่เสียชีวิตจากเหตุน้ำป่าไหลหลาก", fund)


# Third round (branch topics18): kinds that recur on train5 and on an older training set.


def test_covid_as_the_economic_blow_is_the_circumstance():
    """Decision 5: COVID-19 named as the crisis, the blow or the virus whose effects a labour
    or trade measure answers (วิกฤติ, a spelling of วิกฤต; พิษโควิด; ผลกระทบจากไวรัสโควิด) is
    the backdrop of that measure, however many sentences name it."""
    blows = ["กระทรวงแรงงานจัดงานนัดพบแรงงานเพื่อช่วยให้ผู้ว่างงานก้าวผ่านวิกฤติโควิด-19 ไปได้โดยเร็ว",
             "ผู้ประกอบการหลายรายกล่าวว่ายอดขายลดลงเพราะผลกระทบจากพิษโควิด-19 ตลอดปีที่ผ่านมา",
             "กองทุนจะช่วยลูกจ้างของสถานประกอบการที่ได้รับผลกระทบจากไวรัสโควิด-19 ให้มีรายได้ระหว่างหางานใหม่",
             "ผู้ประกอบการจำนวนมากต้องปิดกิจการลงในวิกฤติโควิด-19 ที่ผ่านมา และลูกจ้างต้องกลับภูมิลำเนา"]
    assert "public-health" not in _release("รัฐมนตรีเปิดงานนัดพบแรงงานช่วยผู้ว่างงาน", [_VISIT, *blows])
    # The same release with a measure on the disease itself is about it.
    jab = "ในงานยังมีหน่วยบริการฉีดวัคซีนป้องกันโรคให้ผู้มาร่วมงานและแรงงานในพื้นที่โดยไม่เสียค่าใช้จ่าย"
    assert "public-health" in _release("รัฐมนตรีเปิดงานนัดพบแรงงานช่วยผู้ว่างงาน", [_VISIT, *blows, jab])


def test_an_anniversary_recalls_past_health_works_unless_it_gives_a_health_service():
    """Decision 14: on a founding day or a royal birthday the year's past deeds (tests,
    vaccines, hospitels in the epidemic) are recalled, no health measure of the release;
    a medical unit that serves people on the day itself still is."""
    title = "รัฐมนตรีร่วมพิธีทำบุญเนื่องในวันคล้ายวันสถาปนากระทรวงครบรอบ 30 ปี"
    past = ("ในโอกาสนี้ รัฐมนตรีกล่าวถึงผลงานที่ผ่านมา ทั้งการตรวจหาเชื้อโควิด-19 เชิงรุกแก่ผู้ประกันตน "
            "การฉีดวัคซีนให้ลูกจ้างในสถานประกอบการ และการจัดหา Hospitel รองรับผู้ป่วย")
    assert "public-health" not in _release(title, [_VISIT, past])
    service = ("ภายในงานกระทรวงจัดหน่วยแพทย์เคลื่อนที่ให้บริการตรวจสุขภาพแก่ประชาชนที่มาร่วมงาน "
               "พร้อมให้คำแนะนำการดูแลตนเองโดยแพทย์และพยาบาลตลอดทั้งวัน")
    assert "public-health" in _release(title, [_VISIT, service])

