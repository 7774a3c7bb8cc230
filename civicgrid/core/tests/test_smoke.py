from civicgrid.core import crypto


def test_encrypt_roundtrip_and_hash_is_stable(settings):
    token = crypto.encrypt("211004199001011234")
    assert token != "211004199001011234"
    assert crypto.decrypt(token) == "211004199001011234"
    assert crypto.lookup_hash("21100419900101123x", purpose="id") == crypto.lookup_hash("21100419900101123X", purpose="id")
    assert crypto.lookup_hash("1", purpose="id") != crypto.lookup_hash("1", purpose="phone")
