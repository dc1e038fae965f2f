"""Topic extraction by the labelling guide (docs/labelling.md, issue 13).

The guide's decisions for the hard kinds of ThaiGov releases, each tested with
sentences written for these tests (none copied from a release): numbered
instructions in a ministry-wide meeting (decision 3), COVID-19 behind a measure
(decision 5), ceremonies and royal occasions (decision 1).
"""
from __future__ import annotations

from kb.extract import extract, find_topics
from kb.models import RawDocument

# A release mostly about no topic: a provincial meeting on the local economy.
_MEETING = [f"ผู้ว่าราชการจังหวัดมอบแนวทางที่ {n} ด้านการพัฒนาเศรษฐกิจฐานรากและการท่องเที่ยวชุมชนให้ทุกอำเภอ" for n in range(1, 19)]


def _release(title: str, paragraphs: list[str]) -> list[str]:
    raw = RawDocument(title=title, text="\n".join(paragraphs), date_hint="2024-01-10", type_hint="news")
    return extract(raw, "release").topics


def test_a_numbered_instruction_given_to_a_subject_is_about_it():
    """Decision 3: each subject that gets its own numbered instruction counts, even
    in a long release about other things and named in one sentence only."""
    items = ("รัฐมนตรีเน้นย้ำแนวทางสำคัญ ได้แก่ 1) การป้องกันและปราบปรามยาเสพติด ให้นายอำเภอทุกอำเภอตั้งจุดตรวจ"
             "และค้นหาผู้ค้ารายย่อยในหมู่บ้านอย่างต่อเนื่องทุกสัปดาห์ 2) การจัดเก็บขยะในชุมชน ให้ท้องถิ่นจัดถังขยะ"
             "แยกประเภทให้ครบทุกหมู่บ้านภายในสิ้นปีงบประมาณนี้")
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, items]) == ["drugs"]
    # Items on their own lines, the second about an epidemic the province must manage.
    lines = ["ข้อสั่งการของรัฐมนตรีมีดังนี้",
             "1. การบริหารจัดการโรคระบาดในสัตว์ปีก ให้ปศุสัตว์อำเภอเฝ้าระวังฟาร์มทุกแห่งและรายงานผลทุกวัน"
             "จนกว่าจะไม่พบการติดเชื้อในพื้นที่",
             "2. การส่งเสริมตลาดสินค้าชุมชน ให้พาณิชย์จังหวัดจัดงานแสดงสินค้าทุกไตรมาสร่วมกับภาคเอกชน"]
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, *lines]) == ["public-health"]


def test_short_numbered_entries_and_a_numbered_list_of_threats_are_lists():
    short = "ปัญหาของหมู่บ้าน ได้แก่ 1) สุขภาพ 2) รายได้ 3) การศึกษา 4) ที่อยู่อาศัย"
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, short]) == []
    threats = "ภัยที่ต้องเฝ้าระวัง 1) ยาเสพติด 2) การค้ามนุษย์ 3) ภัยไซเบอร์ 4) อาชญากรรมข้ามชาติ"
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, threats]) == []
    # a lone number is no enumeration
    lone = ("ผลการดำเนินงานข้อ 3. การป้องกันและปราบปรามยาเสพติด ยังต้องติดตามต่อไป"
            "ในการประชุมครั้งหน้าซึ่งจะจัดขึ้นในเดือนถัดไปที่ศาลากลางจังหวัด")
    assert _release("รัฐมนตรีมอบนโยบายผู้ว่าราชการจังหวัด", [*_MEETING, lone]) == []
    # an item is given to a subject its heading opens with, not one named deep in a clause
    clause = ("ผลงานเด่น 1) งานแสดงสินค้านี้ยืนยันว่าตลอดช่วงเวลาตั้งแต่มีโรคระบาด ชุมชนยังมีรายได้"
              "จากการขายสินค้าหัตถกรรมอย่างต่อเนื่อง 2) ร้านค้าชุมชนขายสินค้าได้มากกว่าปีที่แล้วเกือบสองเท่า")
    assert _release("รัฐมนตรีเปิดงานแสดงสินค้าชุมชน", [*_MEETING, clause]) == []


def test_covid_behind_a_labour_measure_is_no_public_health_topic():
    """Decision 5: COVID-19 as the circumstance of a loan, a job scheme or a permit
    extension is no subject, however often it is named."""
    filler = "ที่ประชุมหารือการพัฒนาเศรษฐกิจของจังหวัดและการส่งเสริมการท่องเที่ยวชุมชน " * 18
    for circumstance in (
        "กองทุนปล่อยกู้ให้ร้านค้าที่ขาดรายได้จากสถานการณ์การแพร่ระบาดของโรคโควิด-19 ในอัตราดอกเบี้ยต่ำ",
        "กรมจัดหางานปรับขั้นตอนการต่อใบอนุญาตให้สอดคล้องกับสถานการณ์การแพร่ระบาดของโรคโควิด-19",
        "นายจ้างได้รับเงินชดเชยภายใต้สถานการณ์การแพร่ระบาดของเชื้อไวรัสโควิด-19 ตามมติคณะรัฐมนตรี",
    ):
        assert find_topics(filler + "\n" + circumstance) == [], circumstance
    # The backdrop's own words do not corroborate one another.
    twice = ("\nผู้ประกอบการในจังหวัดที่ปิดกิจการเพื่อควบคุมการแพร่ระบาดของโควิดได้รับเงินเยียวยารายละ 3,000 บาท"
             "\nลูกจ้างที่ได้รับผลกระทบเพราะโควิดจะได้รับเงินจากกองทุนประกันสังคมภายในสิ้นเดือนนี้")
    assert find_topics(filler + twice) == []
    # A measure on the disease itself is public health.
    measure = "\nสาธารณสุขอำเภอตั้งจุดคัดกรองและตรวจหาเชื้อโควิดให้คนงานทุกคนก่อนกลับเข้าทำงาน"
    assert find_topics(filler + twice + measure) == ["public-health"]


def test_loyalty_at_a_royal_occasion_is_the_occasion_not_the_institutions_topic():
    """Decision 1: a royal birthday, a merit-making or a run in the King's honour is
    the occasion; the institutions topic is protecting or promoting them."""
    run = [
        "จังหวัดจัดกิจกรรมเดินวิ่งเฉลิมพระเกียรติเนื่องในโอกาสวันเฉลิมพระชนมพรรษา มีประชาชนร่วมกว่าห้าพันคน",
        "ผู้เข้าร่วมต่างแสดงพลังแห่งความจงรักภักดีอย่างพร้อมเพรียงตลอดเส้นทางวิ่งระยะทางสิบกิโลเมตร",
        "ผู้ว่าราชการจังหวัดกล่าวว่าคนไทยทุกคนภาคภูมิใจในสถาบันพระมหากษัตริย์ซึ่งเป็นสถาบันหลักของชาติ",
        "ภาคเอกชนร่วมสนับสนุนน้ำดื่มและอาหารว่างให้ผู้เข้าร่วมกิจกรรมตลอดทั้งวันอย่างทั่วถึง",
    ]
    assert _release("ชาวจังหวัดร่วมเดินวิ่งเฉลิมพระเกียรติ", run) == []
    camp = [*run[:1], "กอ.รมน.จังหวัดจัดค่ายเยาวชนเพื่อปกป้องสถาบันพระมหากษัตริย์และเสริมสร้างความจงรักภักดีให้นักเรียนสามร้อยคน",
            *run[3:]]
    assert _release("ค่ายเยาวชนเฉลิมพระเกียรติ", camp) == ["institutions"]
    # Without an occasion the same words still count.
    plain = "นักวิชาการบรรยายเรื่องบทบาทของสถาบันพระมหากษัตริย์ซึ่งเป็นสถาบันหลักของชาติต่อความมั่นคงของสังคมไทย"
    assert find_topics(plain) == ["institutions"]


def test_the_southern_border_in_either_word_order_is_a_place_not_the_border_topic():
    """Decision 4: a place is no subject; "ภาคใต้ชายแดน" is "ชายแดนภาคใต้" reordered."""
    filler = "ที่ประชุมหารือการพัฒนาเศรษฐกิจของจังหวัดและการส่งเสริมการท่องเที่ยวชุมชน " * 18
    seizure = ("\nตำรวจจับกุมผู้ค้ายาบ้ารายใหญ่ได้พร้อมของกลางจำนวนมาก"
               "\nผู้ต้องหารายนี้เคยพักอาศัยอยู่ในพื้นที่ภาคใต้ชายแดนหลายปีก่อนย้ายมาอยู่ที่กรุงเทพ")
    assert find_topics(filler + seizure) == ["drugs"]
    patrol = "\nทหารพรานเพิ่มจุดตรวจตามแนวชายแดนด้านตะวันตกอีกสองจุดเพื่อสกัดการลักลอบขนสินค้าหนีภาษี"
    assert find_topics(filler + seizure + patrol) == ["border", "drugs"]


def test_a_threat_named_once_beside_the_main_subject_is_a_remark_in_a_release_not_in_a_report():
    """Decision 4 (a threat in a minor role): a release on migrant-worker registration
    that names trafficking once among its purposes is about migration; the same
    sentence in a report dense with security topics is deliberate."""
    workers = [f"นายจ้างต้องพาแรงงานต่างด้าวกลุ่มที่ {n} ไปยื่นเอกสารที่สำนักงานจัดหางานภายในเดือนหน้า" for n in range(1, 9)]
    neutral = [f"เจ้าหน้าที่อธิบายขั้นตอนที่ {n} ของการกรอกแบบฟอร์มและการนัดหมายผ่านเว็บไซต์ให้ผู้มาติดต่อ" for n in range(1, 26)]
    purpose = "มาตรการนี้จะช่วยลดปัญหาการค้ามนุษย์ในภาคแรงงานได้อีกทางหนึ่งในระยะยาว"
    assert _release("กรมการจัดหางานเปิดลงทะเบียนแรงงาน", [*workers, *neutral, purpose]) == ["migration"]
    assert _release("กรมการจัดหางานเปิดลงทะเบียนแรงงาน", [*workers, purpose]) == ["trafficking", "migration"]
