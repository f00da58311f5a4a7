from tests.casework.factories import make_missing


def test_login_and_view_case(app, world, as_user, client) -> None:
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        case = make_missing(db.session.get(User, world.user("family_liaison")))
        reference = case.reference
    as_user("family_liaison")
    response = client.get(f"/missing/{reference}")
    assert response.status_code == 200
    assert "Pérez Xitumul".encode() in response.data
