from civicgrid.core import crypto


def test_encrypt_roundtrip_and_hash_is_stable(settings):
    token = crypto.encrypt("211004199001011234")
    assert token != "211004199001011234"
    assert crypto.decrypt(token) == "211004199001011234"
    assert crypto.lookup_hash("21100419900101123x", purpose="id") == crypto.lookup_hash("21100419900101123X", purpose="id")
    assert crypto.lookup_hash("1", purpose="id") != crypto.lookup_hash("1", purpose="phone")


def test_lookup_hasher_gives_lookup_hash_digests():
    by_id, by_phone = crypto.lookup_hasher("id"), crypto.lookup_hasher("phone")
    for value in ("21100419900101123x", " 13812341234 ", "张三"):
        assert by_id(value) == crypto.lookup_hash(value, purpose="id")
        assert by_phone(value) == crypto.lookup_hash(value, purpose="phone") != by_id(value)
