"""Demo content for the portal, written so that a second run changes nothing."""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from home.models import HomePage

HOME_TITLE = "社会保险费征缴争议一站结"
HOME_LEAD = "最多诉一次，争议一站结 —— 对社会保险费征缴有争议，只需反映一次。"
HOME_INTRO = (
    "<p>用人单位或个人对社会保险登记和关系转移、缴费金额、滞纳金、退（抵）费、待遇核定和支付、"
    "征缴检查和欠费追缴等事项有争议的，可以通过本网站或下列任一渠道反映。</p>"
    "<p>税务、人社、医保、信访、司法、财政、法院、公安等部门联合受理："
    "谁受理、谁跟踪、谁反馈，办理进度和结果可随时凭受理编号和查询码在线查询。</p>"
)


def _recreate_root() -> Page:
    # `flush` (and transactional tests) also empty the rows Wagtail's migrations created.
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    return Page.add_root(instance=Page(title="Root", slug="root"))


def demo_home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's initial migration leaves a plain "Welcome" page at depth 2; replace it.
        Page.objects.filter(depth=2, content_type__model="page", slug="home").delete()
        root = Page.get_first_root_node() or _recreate_root()
        home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="home"))
    if not home.intro:
        home.title = HOME_TITLE
        home.lead = HOME_LEAD
        home.intro = HOME_INTRO
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name=HOME_TITLE)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = HOME_TITLE
        site.save()
    demo_portal_pages(home)
    return home


SUBMIT_INTRO = (
    "<p>对社会保险费征缴有争议，可以在这里网上反映，不需要注册登录。"
    "提交后会得到受理编号和查询码，凭此随时查询办理进度。</p>"
)
TRACK_INTRO = "<p>输入受理回执上的受理编号和查询码，查看办理进度和结果，对办理情况作出评价或提出异议。</p>"
ABOUT_INTRO = "<p>各地社会保险费征缴争议联合处置机制的受理范围、办理流程和时限、受理渠道和成员单位职责。</p>"
DEMO_EXTRA_FIELD = {
    "label": "方便联系的时间", "field_type": "dropdown", "required": False,
    "choices": "工作日上午\n工作日下午\n任何时间", "help_text": "工作人员会在这个时间给您打电话。",
}


def demo_portal_pages(home: HomePage | None = None) -> None:
    """/submit/ (one intake form per active mechanism), /track/ and /about/ (a policy page per
    mechanism). Idempotent: a mechanism loaded later gets its pages on the next run."""
    from cases.models import Mechanism
    from forms.models import (
        IntakeFormField,
        IntakeFormPage,
        IntakeIndexPage,
        MechanismPage,
        PolicyIndexPage,
        TrackingPage,
    )

    home = home or HomePage.objects.first()
    submit = _demo_child(home, IntakeIndexPage, slug="submit", title="我要反映", intro=SUBMIT_INTRO)
    _demo_child(home, TrackingPage, slug="track", title="进度查询", intro=TRACK_INTRO)
    about = _demo_child(home, PolicyIndexPage, slug="about", title="机制介绍", intro=ABOUT_INTRO)
    for mechanism in Mechanism.objects.filter(is_active=True).order_by("slug"):
        has_form_channel = mechanism.channels.filter(is_online_form=True, is_active=True).exists()
        if submit and has_form_channel and not IntakeFormPage.objects.filter(
                mechanism=mechanism).exists():
            page = IntakeFormPage(slug=mechanism.slug, title=f"{mechanism.region}·网上反映",
                                  mechanism=mechanism)
            page.form_fields.add(IntakeFormField(**DEMO_EXTRA_FIELD))
            _demo_child(submit, page=page)
        if about and not MechanismPage.objects.filter(mechanism=mechanism).exists():
            _demo_child(about, page=MechanismPage(slug=mechanism.slug, title=mechanism.name,
                                                  mechanism=mechanism))


def _demo_child(parent, model=None, *, slug: str = "", page=None, **fields):
    slug = page.slug if page is not None else slug
    existing = parent.get_children().filter(slug=slug).first()
    if existing is not None:
        existing = existing.specific
        # Someone's own page under this slug: leave it alone rather than fight over the URL.
        return existing if model is None or isinstance(existing, model) else None
    page = page if page is not None else model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
