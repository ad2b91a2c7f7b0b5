"""Personal data of natural persons in published texts: ID numbers never, names partly, addresses to district."""

from app.disclosure.services import masking


def test_names_are_shown_partly():
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("张小三") == "张*三"
    assert masking.mask_name("欧阳小明") == "欧**明"
    assert masking.mask_name("") == ""


def test_addresses_stop_at_the_district():
    assert masking.mask_address("示例市演示区演示路 8 号 3 单元") == "示例市演示区"
    assert masking.mask_address("某省某市甲县城关镇 12 号") == "某省某市甲县"
    assert masking.mask_address("示例市人民路 1 号") == "示例市"


def test_id_numbers_are_removed_and_mobiles_hidden():
    text = masking.hide_numbers("身份证 110105198502021234，电话 13812345678，旧证 110105850202123")
    assert "110105198502021234" not in text and "110105850202123" not in text
    assert "138****5678" in text and masking.ID_HIDDEN in text
    assert masking.has_id_number("号码 11010519850202123X") and not masking.has_id_number(text)


def test_a_text_about_a_person_is_masked_everywhere():
    text = masking.mask_person_text("当事人张小三，住示例市演示区演示路 8 号，张小三承认", "张小三",
                                    "示例市演示区演示路 8 号")
    assert "张小三" not in text and text.count("张*三") == 2 and "演示路" not in text
