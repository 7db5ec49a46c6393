from teachers.extensions import db
from teachers.models import Role
from tests import factories as f
from tests.conftest import login


def test_login_page_is_chinese(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page


def test_hr_logs_in(app, client):
    c = f.county()
    f.user("hr", Role.HR, county_obj=c)
    db.session.commit()
    resp = login(client, "hr")
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
