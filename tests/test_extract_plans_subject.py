"""A plan title as the subject of a law or of another plan (issue 13, item 7; brief extract5).

"กฎหมายและแผนว่าด้วยการป้องกันและบรรเทาสาธารณภัย" is the disaster law's plan,
not security plan 9: after a subject marker (แผนว่าด้วย…, แผนเรื่อง…) or after แผน
coordinated with a law, a title that is also an everyday phrase needs the
security policy cited, as after a plain policy-area lead-in.  The sentences are
invented, none from a release.
"""
from __future__ import annotations

import pytest

from kb.extract.plans import find_plans

# Everyday text that cites no security plan, so that a sentence's own wording decides.
_FILLER = "ที่ประชุมหารือการพัฒนาเศรษฐกิจของจังหวัดและการส่งเสริมการท่องเที่ยวชุมชน " * 6


@pytest.mark.parametrize(
    "sentence",
    [
        "จังหวัดบริหารสถานการณ์ตามกฎหมายและแผนว่าด้วยการป้องกันและบรรเทาสาธารณภัยทุกระดับ",
        "หน่วยงานปฏิบัติตามแผนว่าด้วยการป้องกันและแก้ไขปัญหาการค้ามนุษย์ของกระทรวงอย่างเคร่งครัด",
        "คณะทำงานทบทวนกฎหมายและแผนการป้องกันและแก้ไขปัญหาการก่อการร้ายของหน่วยงาน",
        "ที่ประชุมรับทราบแผนเรื่องการป้องกันและแก้ไขปัญหาความมั่นคงทางไซเบอร์ของบริษัท",
        "เจ้าหน้าที่ชี้แจงพระราชบัญญัติและแผนว่าด้วยการป้องกัน ปราบปรามและแก้ไขปัญหายาเสพติด",
    ],
)
def test_an_everyday_title_as_the_subject_of_a_law_or_plan_is_no_plan(sentence):
    assert find_plans(_FILLER + "\n" + sentence) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the security plan's own lead-in, or the policy cited in the text
        ("หน่วยงานดำเนินการตามแผนความมั่นคงที่ 9 ว่าด้วยการป้องกันและบรรเทาสาธารณภัย", [9]),
        ("หน่วยงานดำเนินการตามแผนฯ เรื่องการป้องกันและแก้ไขปัญหาการค้ามนุษย์", [7]),
        ("ตามนโยบายและแผนความมั่นคง จังหวัดทบทวนแผนว่าด้วยการป้องกันและแก้ไขปัญหาการค้ามนุษย์", [7]),
        # a distinctive title is the plan's own words wherever แผน stands before it
        ("หน่วยงานปฏิบัติตามแผนว่าด้วยการรักษาความมั่นคงและผลประโยชน์ของชาติทางทะเล", [4]),
        # the plan named directly after แผน (a same-named yearly plan counts, as before)
        ("อำเภอตรวจสถานประกอบการตามแผนการป้องกันและแก้ไขปัญหาการค้ามนุษย์ ประจำปีงบประมาณ", [7]),
    ],
)
def test_a_title_after_the_plans_own_lead_in_or_with_the_policy_cited_is_the_plan(sentence, expected):
    assert find_plans(_FILLER + "\n" + sentence) == expected
