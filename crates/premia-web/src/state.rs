//! The quote form as data, and its reducer: what the person typed, the request it makes, and what the
//! core says of it. Pure (no DOM, no clock) so `cargo test` checks it natively; the components only
//! render a [`State`] and dispatch [`Action`]s.

use std::collections::BTreeMap;
use std::rc::Rc;

use chrono::NaiveDate;
use premia_core::bundle::{Profile, Recommendation};
use premia_core::error::ErrorKind;
use premia_core::json::Json;
use premia_core::money::{self, strict};
use premia_core::request::HealthAnswer;
use premia_core::resident_id::{self, ResidentId};
use premia_core::{
    Catalogue, Channel, CoverageRequest, CoverageTerm, Error, Frequency, Insured, Lang, PaymentTerm, Product, Quote,
    QuoteRequest, RiderRequest, Sex, Text,
};
use serde::Deserialize;

use crate::i18n::Label;
use crate::options;

/// Where the app runs and what it may offer: fixed for the life of one mounted app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The quote date: the browser's today, or an attribute (tests, agents quoting for a date).
    pub quote_date: NaiveDate,
    pub channel: Channel,
    /// Product codes this app offers (the widget's `products` attribute); `None`: every product.
    pub offered: Option<Vec<String>>,
    /// The app is the page (the site: its title is the page's `h1`), not a part of another page.
    pub page_heading: bool,
    /// Offer "buy online" beside "submit": it emits `premia-buy` for the page to load the buying module
    /// (`crates/premia-buy-web`), which carries the rest.
    pub buy: bool,
}

/// What the person typed, as typed. Text stays text until the request is built, so a half-typed
/// amount is shown back exactly and its error names the field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    /// Resident ID number as typed; when given, the core takes birth date and sex from it.
    pub resident_id: String,
    pub birth_date: String,
    pub sex: Option<Sex>,
    pub smoker: bool,
    pub occupation_class: u8,
    pub social_insurance: bool,
    /// Region code, or empty for none.
    pub region: String,
    /// Underwriting figures, as typed; empty when not given.
    pub height_cm: String,
    pub weight_kg: String,
    pub annual_income: String,
    pub existing_cover: String,
    /// Health questionnaire answers by question id; a question not in the map is unanswered.
    pub health_answers: BTreeMap<String, HealthAnswer>,
    pub coverages: Vec<CoverageForm>,
    /// The recommended bundle the coverages were taken from (for its bundle discount).
    pub bundle: Option<String>,
    /// Coupon, voucher and referral codes entered, in order.
    pub coupons: Vec<String>,
    /// The code being typed into the coupon field.
    pub coupon_draft: String,
}

/// One chosen product with its options, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageForm {
    pub product: String,
    pub amount: String,
    pub coverage_term: String,
    pub payment_term: String,
    pub frequency: Frequency,
    pub plan: Option<String>,
    pub payout_start_age: Option<u32>,
    pub guaranteed_years: Option<u32>,
    pub riders: Vec<RiderForm>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiderForm {
    pub code: String,
    pub chosen: bool,
    /// The rider's own sum assured, for riders that have one; empty otherwise.
    pub amount: String,
}

impl CoverageForm {
    /// A product as first added: every option set to a value the catalogue offers, shown to the person.
    pub fn new(product: &Product) -> Self {
        let annuity = options::annuity_options(product);
        CoverageForm {
            product: product.code.clone(),
            amount: options::suggested_amount(product).to_string(),
            coverage_term: options::suggested_coverage_term(product).map(|t| t.to_string()).unwrap_or_default(),
            payment_term: options::suggested_payment_term(product).map(|t| t.to_string()).unwrap_or_default(),
            frequency: Frequency::Annual,
            plan: options::plans(product).first().map(|p| p.id.clone()),
            payout_start_age: annuity.and_then(|(ages, _)| ages.get(ages.len() / 2).copied()),
            guaranteed_years: annuity.and_then(|(_, years)| years.first().copied()),
            riders: product
                .riders
                .iter()
                .map(|r| RiderForm {
                    code: r.code.clone(),
                    chosen: false,
                    amount: r.amount.map(|a| a.min.to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Set from a request's coverage (prefill), keeping the riders the product offers.
    fn from_request(product: &Product, request: &CoverageRequest) -> Self {
        let mut form = CoverageForm::new(product);
        if let Some(amount) = request.sum_assured.or(request.annuity_amount) {
            form.amount = amount.to_string();
        }
        form.coverage_term = request.coverage_term.to_string();
        form.payment_term = request.payment_term.to_string();
        form.frequency = request.frequency;
        form.plan = request.plan.clone().or(form.plan);
        form.payout_start_age = request.payout_start_age.or(form.payout_start_age);
        form.guaranteed_years = request.guaranteed_years.or(form.guaranteed_years);
        for wanted in &request.riders {
            if let Some(rider) = form.riders.iter_mut().find(|r| r.code == wanted.code) {
                rider.chosen = true;
                if let Some(amount) = wanted.sum_assured {
                    rider.amount = amount.to_string();
                }
            }
        }
        form
    }
}

/// A change to one coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoverageAction {
    Amount(String),
    CoverageTerm(String),
    PaymentTerm(String),
    Frequency(Frequency),
    Plan(String),
    PayoutStartAge(u32),
    GuaranteedYears(u32),
    Rider { code: String, chosen: bool },
    RiderAmount { code: String, amount: String },
}

/// What a CRM (or a link) already knows about the customer: any subset of the request's fields, in the
/// request's own spelling. Unknown fields are refused so a misspelt prefill is an error, not ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prefill {
    #[serde(default)]
    pub insured: Option<InsuredPrefill>,
    /// Replaces the chosen products when given.
    #[serde(default)]
    pub coverages: Option<Vec<CoverageRequest>>,
    #[serde(default)]
    pub coupons: Option<Vec<String>>,
    #[serde(default)]
    pub bundle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsuredPrefill {
    pub resident_id: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub smoker: Option<bool>,
    pub occupation_class: Option<u8>,
    pub social_insurance: Option<bool>,
    pub region: Option<String>,
    #[serde(default, with = "strict::option")]
    pub height_cm: Option<rust_decimal::Decimal>,
    #[serde(default, with = "strict::option")]
    pub weight_kg: Option<rust_decimal::Decimal>,
    #[serde(default, with = "strict::option")]
    pub annual_income: Option<rust_decimal::Decimal>,
    #[serde(default, with = "strict::option")]
    pub existing_cover: Option<rust_decimal::Decimal>,
    #[serde(default)]
    pub health_answers: Option<BTreeMap<String, HealthAnswer>>,
}

impl Prefill {
    /// Read a prefill for an app offering `settings.offered` of `catalogue`: as [`Prefill::from_json`],
    /// and each coverage's product must be one the app offers. A coverage naming a product it does not
    /// offer is reported as that, first (`prefill.coverages[0].product: unknown product "NOPE"`), not
    /// as the terms it lacks for a product it does not have.
    pub fn read(value: &Json, catalogue: &Catalogue, settings: &Settings) -> Result<Prefill, premia_core::Errors> {
        let mut unknown = Vec::new();
        let coverages = value.get("coverages").and_then(Json::as_array).unwrap_or_default();
        for (i, coverage) in coverages.iter().enumerate() {
            let Some(code) = coverage.get("product").and_then(Json::as_str) else { continue };
            let offered = settings.offered.as_ref().is_none_or(|codes| codes.iter().any(|c| c == code));
            if !offered || catalogue.product(code, settings.quote_date).is_none() {
                let kind = ErrorKind::Unknown { what: premia_core::error::Noun::Product, name: code.to_owned() };
                unknown.push(Error::new(format!("prefill.coverages[{i}].product"), kind));
            }
        }
        match premia_core::Errors::from_vec(unknown) {
            Some(errors) => Err(errors),
            None => Prefill::from_json(value),
        }
    }

    /// Read a prefill from a JSON tree, every broken field named (`prefill.insured.sex`), with the
    /// core's reader: the same rules as a request's fields. (The `Deserialize` derive documents the
    /// shape for the TypeScript declarations and must agree: a test checks it.)
    pub fn from_json(value: &Json) -> Result<Prefill, premia_core::Errors> {
        use premia_core::reader::Reader;
        use premia_core::request::{read_coverage, read_health_answers, read_sex};
        const FIELDS: &[&str] = &["insured", "coverages", "coupons", "bundle"];
        let mut r = Reader::new();
        let path = "prefill";
        let prefill = r.object(value, path, FIELDS).and_then(|object| {
            let insured = r.optional(object, path, "insured", read_insured_prefill);
            let coverages = r.optional(object, path, "coverages", |r, v, p| r.list(v, p, read_coverage));
            let coupons = r.optional(object, path, "coupons", Reader::strings);
            let bundle = r.optional(object, path, "bundle", Reader::string);
            Some(Prefill { insured: insured?, coverages: coverages?, coupons: coupons?, bundle: bundle? })
        });
        return r.finish(prefill);

        fn read_insured_prefill(r: &mut Reader, value: &Json, path: &str) -> Option<InsuredPrefill> {
            const FIELDS: &[&str] = &[
                "resident_id",
                "birth_date",
                "sex",
                "smoker",
                "occupation_class",
                "social_insurance",
                "region",
                "height_cm",
                "weight_kg",
                "annual_income",
                "existing_cover",
                "health_answers",
            ];
            let object = r.object(value, path, FIELDS)?;
            let resident_id = r.optional(object, path, "resident_id", Reader::string);
            let birth_date = r.optional(object, path, "birth_date", Reader::date);
            let sex = r.optional(object, path, "sex", read_sex);
            let smoker = r.optional(object, path, "smoker", Reader::bool);
            let occupation_class = r.optional(object, path, "occupation_class", Reader::whole);
            let social_insurance = r.optional(object, path, "social_insurance", Reader::bool);
            let region = r.optional(object, path, "region", Reader::string);
            let height_cm = r.optional(object, path, "height_cm", Reader::decimal);
            let weight_kg = r.optional(object, path, "weight_kg", Reader::decimal);
            let annual_income = r.optional(object, path, "annual_income", Reader::decimal);
            let existing_cover = r.optional(object, path, "existing_cover", Reader::decimal);
            let health_answers = r.optional(object, path, "health_answers", read_health_answers);
            Some(InsuredPrefill {
                resident_id: resident_id?,
                birth_date: birth_date?,
                sex: sex?,
                smoker: smoker?,
                occupation_class: occupation_class?,
                social_insurance: social_insurance?,
                region: region?,
                height_cm: height_cm?,
                weight_kg: weight_kg?,
                annual_income: annual_income?,
                existing_cover: existing_cover?,
                health_answers: health_answers?,
            })
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SetLang(Lang),
    ResidentId(String),
    BirthDate(String),
    Sex(Sex),
    Smoker(bool),
    OccupationClass(u8),
    SocialInsurance(bool),
    Region(String),
    HeightCm(String),
    WeightKg(String),
    AnnualIncome(String),
    ExistingCover(String),
    /// Answer a health question yes or no (a "no" drops any follow-up).
    Answer {
        question: String,
        yes: bool,
    },
    FollowUp {
        question: String,
        option: String,
    },
    /// Take the coverages of a recommended bundle.
    ChooseBundle(String),
    CouponDraft(String),
    /// Add the drafted code (ignored when empty or already entered).
    AddCoupon,
    RemoveCoupon(String),
    /// Add the product if not chosen, else remove it (which leaves any bundle).
    ToggleProduct(String),
    Coverage(usize, CoverageAction),
    Prefill(Box<Prefill>),
    /// The form kept from earlier in this tab (a reload, Back).
    Restore(Box<Form>),
    /// Start over: a fresh form, nothing kept.
    StartOver,
    /// The person left a field: its "required" error may now be shown.
    Touch(&'static str),
    SubmitStarted,
    SubmitFinished(Submission),
    DismissSubmission,
    /// A read of where the application stands (`crate::status`): taken only while that application's
    /// answer is shown.
    StatusRead {
        application: String,
        reading: crate::status::Reading,
    },
}

/// The server's answer that the quote no longer holds (409 `quote.requote_needed`): its fresh quote, priced
/// on the server's today, for the person to see and confirm before it is submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requote {
    /// Why (`dated_before_today`, `expired`, `catalogue_version_changed`).
    pub reason: String,
    /// The server's words for it.
    pub message: premia_core::Text,
    /// The fresh quote as compact JSON: the server's own bytes, sent back as they are.
    pub fresh: String,
    /// Its digest (the confirmed submission's `Idempotency-Key`).
    pub digest: String,
    /// Its annual premium, as the server wrote it.
    pub annual_premium: String,
    /// The server's stamp for it: the fresh quote keeps its price even if confirmed after midnight.
    pub stamp: Option<String>,
}

/// What became of the last submission.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Submission {
    #[default]
    None,
    Sending,
    /// The server took it: its application number and status (`accepted`, `referred`), and where it
    /// stands since (its status page, receipt, and the last status read).
    Accepted {
        application: String,
        status: String,
        tracking: Box<crate::status::Tracking>,
    },
    /// The server refused it (HTTP status) with its typed errors, `{code, field, message}` like the core's.
    Refused {
        status: u16,
        errors: Vec<ServerError>,
    },
    /// No server to send to (no endpoint, or none answered): the payload is shown instead.
    Unavailable {
        payload: String,
    },
    /// "Submit" on a quote priced without the insured's resident ID number: an application needs it (the
    /// server checks it against the quote), so the page asks for it beside its field and sends nothing.
    ResidentIdNeeded,
    /// "Submit" on a quote whose underwriting waits for answers or figures (unanswered health questions,
    /// height and weight, income): the server would refuse it, so the page lists what is missing (see
    /// [`State::missing`]), moves focus to the first, and sends nothing.
    Incomplete,
    /// The server priced the quote again (today's date, a new catalogue): shown until confirmed.
    Requote(Box<Requote>),
}

/// What "submit" sends: `{"quote": <the quote>, "resident_id": "<the number>"}`, the quote compact and
/// byte for byte as the engine wrote it (the server's fast path compares bytes), beside the number it
/// was priced with (the server checks its birth date and sex against the quote, and keys the person by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The JSON body.
    pub body: String,
    /// The quote's digest: it names this exact quote, so it is the submission's `Idempotency-Key` (a
    /// double click or a retry is the same submission).
    pub digest: String,
}

impl Application {
    fn new(quote: &Quote, resident_id: &str) -> Application {
        #[derive(serde::Serialize)]
        struct Envelope<'a> {
            quote: &'a Quote,
            resident_id: &'a str,
        }
        let body = serde_json::to_string(&Envelope { quote, resident_id }).unwrap_or_default();
        Application { body, digest: quote.digest.clone() }
    }

    /// The server's fresh quote, confirmed: `{"quote": <its bytes>, "resident_id": …, "stamp": …}`.
    pub fn confirmed(requote: &Requote, resident_id: &str) -> Application {
        let text = |value: &str| serde_json::to_string(value).unwrap_or_default();
        let stamp = requote.stamp.as_deref().map(|s| format!(",\"stamp\":{}", text(s))).unwrap_or_default();
        let body = format!("{{\"quote\":{},\"resident_id\":{}{stamp}}}", requote.fresh, text(resident_id));
        Application { body, digest: requote.digest.clone() }
    }

    /// The body indented, as shown when no server takes it.
    pub fn pretty(&self) -> String {
        premia_core::json::parse(&self.body).map_or_else(|_| self.body.clone(), |v| v.pretty())
    }
}

/// An error as the server answers it: the core's error shape (and the shape `premia-refused` tells the
/// host).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ServerError {
    pub code: String,
    #[serde(default)]
    pub field: String,
    pub message: premia_core::Text,
}

/// The typed errors of a server's answer (`{"errors": [{code, field, message}]}`), if that is what it is.
pub fn read_errors(body: &Json) -> Option<Vec<ServerError>> {
    let text = |value: &Json, key: &str| value.get(key).and_then(Json::as_str).map(str::to_owned);
    let read_error = |e: &Json| {
        let message = e.get("message")?;
        Some(ServerError {
            code: text(e, "code")?,
            field: text(e, "field").unwrap_or_default(),
            message: premia_core::Text::new(text(message, "zh")?, text(message, "en")?),
        })
    };
    body.get("errors")?.as_array()?.iter().map(read_error).collect()
}

impl Submission {
    /// What an HTTP answer to a submission means. `payload` is the quote as sent, shown when no
    /// server took it. A 404/405/501 is "no such endpoint here" (the site served without the server).
    pub fn from_response(status: u16, body: &str, payload: String) -> Submission {
        // Read from a JSON tree (the one JSON reader of the browser build); fields the server may add
        // later are ignored.
        let body_json = premia_core::json::parse(body).ok();
        let text = |value: &Json, key: &str| value.get(key).and_then(Json::as_str).map(str::to_owned);
        match status {
            200..=299 => {
                let created = body_json.as_ref().and_then(|v| Some((text(v, "application")?, text(v, "status")?)));
                let (application, status) = created.unwrap_or_default();
                let tracking = Box::new(crate::status::Tracking::created(body_json.as_ref()));
                Submission::Accepted { application, status, tracking }
            }
            404 | 405 | 501 => Submission::Unavailable { payload },
            409 => match body_json.as_ref().and_then(Requote::read) {
                Some(requote) => Submission::Requote(Box::new(requote)),
                None => Submission::refused(status, body_json.as_ref(), body),
            },
            _ => Submission::refused(status, body_json.as_ref(), body),
        }
    }

    fn refused(status: u16, body_json: Option<&Json>, body: &str) -> Submission {
        let errors = body_json.and_then(read_errors).unwrap_or_else(|| {
            let text = format!("HTTP {status}: {}", body.chars().take(200).collect::<String>());
            vec![ServerError {
                code: "http".into(),
                field: String::new(),
                message: premia_core::Text::new(text.clone(), text),
            }]
        });
        Submission::Refused { status, errors }
    }
}

/// The event that tells a widget's host what the server answered, and its detail (JSON):
/// `premia-submitted` with the server's 201 answer (application number, status, token, …),
/// `premia-requote` with its 409 answer (`errors`, and `requote`: the reason, the fresh quote and its
/// stamp), `premia-refused` with `{status, errors}` (the server's typed errors). Nothing when no server
/// took the submission (the payload is shown instead).
pub fn answer_event(body: &str, submission: &Submission) -> Option<(&'static str, String)> {
    match submission {
        Submission::Accepted { .. } => Some(("premia-submitted", body.to_owned())),
        Submission::Requote(_) => Some(("premia-requote", body.to_owned())),
        Submission::Refused { status, errors } => {
            // The errors as read (the server's typed errors; one of code `http` for an answer that was
            // not JSON), written by serde as the server writes them.
            #[derive(serde::Serialize)]
            struct Refusal<'a> {
                status: u16,
                errors: &'a [ServerError],
            }
            let detail = serde_json::to_string(&Refusal { status: *status, errors }).unwrap_or_default();
            Some(("premia-refused", detail))
        }
        _ => None,
    }
}

impl Requote {
    /// The re-quote in a 409 answer: `{"errors": [{code: "quote.requote_needed", …}], "requote": {reason,
    /// fresh, stamp}}`.
    fn read(body: &Json) -> Option<Requote> {
        let error = body.get("errors")?.as_array()?.first()?;
        if error.get("code")?.as_str()? != "quote.requote_needed" {
            return None;
        }
        let message = error.get("message")?;
        let requote = body.get("requote")?;
        let fresh = requote.get("fresh")?;
        Some(Requote {
            reason: requote.get("reason")?.as_str()?.to_owned(),
            message: premia_core::Text::new(
                message.get("zh")?.as_str()?.to_owned(),
                message.get("en")?.as_str()?.to_owned(),
            ),
            fresh: fresh.compact(),
            digest: fresh.get("digest")?.as_str()?.to_owned(),
            annual_premium: fresh.get("totals")?.get("annual_premium")?.as_str()?.to_owned(),
            stamp: requote.get("stamp").and_then(Json::as_str).map(str::to_owned),
        })
    }
}

/// Something an application still needs: the request field to give (its control's id follows from it)
/// and what to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// `insured.resident_id`, `insured.health_answers.HEART`, `insured.height_cm`, …
    pub field: String,
    pub label: Text,
}

/// The core's answer to the current form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteOutcome {
    Priced(Box<Quote>),
    Invalid(Vec<Error>),
}

/// What became of one entered coupon code in the current quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponStatus<'q> {
    Applied(&'q premia_core::coupon::Discount),
    Refused(&'q premia_core::coupon::RejectedCoupon),
    /// No quote yet (the form is incomplete).
    Waiting,
}

impl State {
    /// The discount a code gave, or why it gave none. A campaign is named by its code; a signed voucher
    /// or referral token by the id inside it; the core names refused tokens by their first characters.
    pub fn coupon_status(&self, code: &str) -> CouponStatus<'_> {
        let Some(quote) = self.quote() else { return CouponStatus::Waiting };
        let id = if premia_core::coupon::is_token(code) {
            premia_core::coupon::verify_token(code, self.catalogue.coupons.public_key.as_ref()).ok().map(|c| c.id)
        } else {
            Some(code.to_owned())
        };
        if let Some(discount) = quote.discounts.iter().find(|d| Some(&d.code) == id.as_ref()) {
            return CouponStatus::Applied(discount);
        }
        let shown = shortened(code);
        match quote.rejected_coupons.iter().find(|r| r.coupon == code || r.coupon == shown) {
            Some(rejected) => CouponStatus::Refused(rejected),
            None => CouponStatus::Waiting,
        }
    }
}

/// An error that a product does not insure the insured's age.
pub fn is_about_age(error: &Error) -> bool {
    matches!(
        error.kind,
        ErrorKind::AgeBelowMin { .. } | ErrorKind::AgeAboveMax { .. } | ErrorKind::TooYoungInDays { .. }
    )
}

/// Long signed tokens are shown (and named by the core) by their first 20 characters.
pub fn shortened(code: &str) -> String {
    if code.chars().count() > 24 {
        format!("{}…", code.chars().take(20).collect::<String>())
    } else {
        code.to_owned()
    }
}

/// `{"quote": Quote | null, "errors": [...]}`: how an outcome is shown to JS (the widget's
/// `premia-quote-change` detail). Written field by field so the quote keeps its own field order.
pub fn outcome_json(outcome: Option<&QuoteOutcome>) -> String {
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        quote: Option<&'a Quote>,
        errors: &'a [Error],
    }
    let detail = match outcome {
        Some(QuoteOutcome::Priced(quote)) => Detail { quote: Some(quote), errors: &[] },
        Some(QuoteOutcome::Invalid(errors)) => Detail { quote: None, errors },
        None => Detail { quote: None, errors: &[] },
    };
    serde_json::to_string(&detail).unwrap_or_default()
}

/// The whole app state.
#[derive(Debug, Clone)]
pub struct State {
    pub catalogue: Rc<Catalogue>,
    pub settings: Rc<Settings>,
    pub lang: Lang,
    pub form: Form,
    /// Shared, not copied, between the states before and after an action that does not change it:
    /// the reducer clones the state on every keystroke.
    pub outcome: Rc<QuoteOutcome>,
    /// The bundles recommended for the person as typed (empty until their age is known).
    pub recommendations: Rc<Vec<Recommendation>>,
    /// Fields the person has left (or that were prefilled); "required" errors show only for these.
    /// A handful at most: a list, not a set (no ordered-set code of its own in the module).
    pub touched: Vec<&'static str>,
    pub submission: Submission,
    /// Bumped whenever the outcome may have changed: effects (events to the host) key on it.
    pub revision: u64,
    /// Bumped at each answer to a submission: the app moves focus to the answer.
    pub answered: u32,
    /// The form is worth keeping for a reload or Back: something was done to it since the page opened
    /// or since "start over".
    pub keep: bool,
}

/// Field names of the insured person, as the core names them in errors.
pub mod field {
    pub const RESIDENT_ID: &str = "insured.resident_id";
    pub const BIRTH_DATE: &str = "insured.birth_date";
    pub const SEX: &str = "insured.sex";
    pub const REGION: &str = "insured.region";
    pub const OCCUPATION: &str = "insured.occupation_class";
    pub const COVERAGES: &str = "coverages";
    pub const HEIGHT: &str = "insured.height_cm";
    pub const WEIGHT: &str = "insured.weight_kg";
    pub const INCOME: &str = "insured.annual_income";
    pub const EXISTING_COVER: &str = "insured.existing_cover";
    pub const QUIET_UNTIL_TOUCHED: [&str; 2] = [BIRTH_DATE, SEX];
}

impl State {
    /// A fresh form: the offered products' first choice pre-selected (or the first product), nothing
    /// known about the person yet.
    pub fn new(catalogue: Rc<Catalogue>, settings: Rc<Settings>, lang: Lang) -> Self {
        let first = settings
            .offered
            .as_ref()
            .and_then(|codes| codes.first().cloned())
            .or_else(|| catalogue.products_on(settings.quote_date).next().map(|p| p.code.clone()));
        let coverages = first
            .and_then(|code| catalogue.product(&code, settings.quote_date).map(CoverageForm::new))
            .into_iter()
            .collect();
        let form = Form { occupation_class: 1, social_insurance: true, coverages, ..Form::default() };
        let outcome = evaluate(&catalogue, &settings, &form);
        let recommendations = recommend(&catalogue, &settings, &form);
        State {
            catalogue,
            settings,
            lang,
            form,
            outcome: Rc::new(outcome),
            recommendations: Rc::new(recommendations),
            touched: Vec::new(),
            submission: Submission::None,
            revision: 0,
            answered: 0,
            keep: false,
        }
    }

    /// A fresh form with what `kept` (a form [`crate::saved`] wrote earlier in this tab) can give it.
    pub fn restored(catalogue: Rc<Catalogue>, settings: Rc<Settings>, lang: Lang, kept: Option<&str>) -> Self {
        let mut state = State::new(catalogue, settings, lang);
        let offered = state.offered_products();
        let coverage = |code: &str| offered.iter().find(|p| p.code == code).map(|p| CoverageForm::new(p));
        if let Some(form) = kept.and_then(|text| crate::saved::read(text, &state.form, coverage)) {
            state.apply(Action::Restore(Box::new(form)));
        }
        state
    }

    /// The products a person may choose here, in catalogue order.
    pub fn offered_products(&self) -> Vec<&Product> {
        let date = self.settings.quote_date;
        self.catalogue
            .products_on(date)
            .filter(|p| self.settings.offered.as_ref().is_none_or(|codes| codes.contains(&p.code)))
            .collect()
    }

    pub fn product(&self, code: &str) -> Option<&Product> {
        self.catalogue.product(code, self.settings.quote_date)
    }

    pub fn is_chosen(&self, code: &str) -> bool {
        self.form.coverages.iter().any(|c| c.product == code)
    }

    pub fn quote(&self) -> Option<&Quote> {
        match &*self.outcome {
            QuoteOutcome::Priced(quote) => Some(quote),
            QuoteOutcome::Invalid(_) => None,
        }
    }

    /// Every error to show. The person's birth date and sex start empty: their "required" errors wait
    /// until the field is touched, so a fresh page does not open on a list of complaints.
    pub fn visible_errors(&self) -> Vec<&Error> {
        let waiting = |e: &Error| {
            e.code() == "required"
                && field::QUIET_UNTIL_TOUCHED.contains(&e.field.as_str())
                && !self.touched.iter().any(|f| *f == e.field)
        };
        match &*self.outcome {
            QuoteOutcome::Priced(_) => Vec::new(),
            QuoteOutcome::Invalid(errors) => errors.iter().filter(|e| !waiting(e)).collect(),
        }
    }

    /// The errors about this field (shown beside it). An age a product does not insure is about a
    /// coverage and about the birth date (or the resident ID number it comes from): it is shown at both,
    /// since changing either fixes it.
    pub fn errors_for(&self, field: &str) -> Vec<&Error> {
        let about_age = field == self.age_field();
        self.visible_errors().into_iter().filter(|e| e.field == field || (about_age && is_about_age(e))).collect()
    }

    /// Birth date and sex come from the resident ID number when one is typed (the core reads them from
    /// it): the two fields show what it says and cannot be changed.
    pub fn by_resident_id(&self) -> bool {
        !resident_id::normalize(&self.form.resident_id).is_empty()
    }

    /// The resident ID number typed, as the core reads it, if it is a valid one.
    pub fn resident_id(&self) -> Option<ResidentId> {
        let text = &self.form.resident_id;
        resident_id::parse(text, self.settings.quote_date, field::RESIDENT_ID).ok().filter(|_| self.by_resident_id())
    }

    /// The field the insured's age comes from.
    pub fn age_field(&self) -> &'static str {
        if self.by_resident_id() { field::RESIDENT_ID } else { field::BIRTH_DATE }
    }

    /// The errors no field of the form shows (listed above the price).
    pub fn unplaced_errors(&self, placed: &[String]) -> Vec<&Error> {
        self.visible_errors().into_iter().filter(|e| !placed.contains(&e.field)).collect()
    }

    /// Fields the form shows errors beside, so the rest can be listed once.
    pub fn placed_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = [
            field::RESIDENT_ID,
            field::BIRTH_DATE,
            field::SEX,
            field::REGION,
            field::OCCUPATION,
            field::HEIGHT,
            field::WEIGHT,
            field::INCOME,
            field::EXISTING_COVER,
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
        for (i, coverage) in self.form.coverages.iter().enumerate() {
            let prefix = format!("coverages[{i}]");
            for name in ["product", "coverage_term", "payment_term", "frequency", "plan"] {
                fields.push(format!("{prefix}.{name}"));
            }
            fields.push(format!("{prefix}.payout_start_age"));
            fields.push(format!("{prefix}.guaranteed_years"));
            if let Some(product) = self.product(&coverage.product) {
                fields.push(format!("{prefix}.{}", options::amount_field(product)));
            }
            for (j, _) in coverage.riders.iter().filter(|r| r.chosen).enumerate() {
                fields.push(format!("{prefix}.riders[{j}].sum_assured"));
            }
        }
        fields
    }

    /// The request the form makes, as it would be sent.
    pub fn request(&self) -> Result<QuoteRequest, Vec<Error>> {
        build_request(&self.catalogue, &self.settings, &self.form)
    }

    /// What "submit" sends for the current quote, or the submission state to show instead: nothing
    /// without a quote, [`Submission::ResidentIdNeeded`] for a quote priced without the resident ID
    /// number (typing it re-prices the quote with it).
    pub fn application(&self) -> Result<Application, Submission> {
        let quote = self.quote().ok_or(Submission::None)?;
        // The quote is re-priced on every change, and a number that is not valid gives no quote: with a
        // number typed, the quote was priced with it (its birth date and sex, which the server checks).
        match self.missing().as_slice() {
            [] => Ok(Application::new(quote, &self.form.resident_id)),
            [only] if only.field == field::RESIDENT_ID => Err(Submission::ResidentIdNeeded),
            _ => Err(Submission::Incomplete),
        }
    }

    /// What an application of the current quote still needs, in the form's order: the resident ID
    /// number, then what underwriting waits for (the core's pending reasons: each unanswered health
    /// question, the height, weight or income not given). Empty when it can be sent, or without a quote.
    pub fn missing(&self) -> Vec<Missing> {
        let Some(quote) = self.quote() else { return Vec::new() };
        let mut missing: Vec<Missing> = Vec::new();
        let mut add = |field: String, label: Text| {
            if !missing.iter().any(|m| m.field == field) {
                missing.push(Missing { field, label });
            }
        };
        if !self.by_resident_id() {
            add(field::RESIDENT_ID.to_owned(), Label::ResidentId.text());
        }
        let pending =
            quote.decision.reasons.iter().filter(|r| r.outcome == premia_core::underwriting::Outcome::Pending);
        for reason in pending {
            for &needed in reason.needs() {
                let (value, label) = match needed {
                    "insured.health_answers" => {
                        for question in questions(&self.catalogue, &self.settings, &self.form) {
                            if !self.form.health_answers.contains_key(&question.id) {
                                add(format!("{needed}.{}", question.id), question.text.clone());
                            }
                        }
                        continue;
                    }
                    field::HEIGHT => (self.form.height_cm.as_str(), Label::HeightCm.text()),
                    field::WEIGHT => (self.form.weight_kg.as_str(), Label::WeightKg.text()),
                    field::INCOME => (self.form.annual_income.as_str(), Label::AnnualIncome.text()),
                    // A field this form does not have: the reason's own words say what it needs.
                    _ => ("", reason.message.clone()),
                };
                if value.trim().is_empty() {
                    add(needed.to_owned(), label);
                }
            }
        }
        missing
    }

    fn apply(&mut self, action: Action) {
        let date = self.settings.quote_date;
        let form = &mut self.form;
        match action {
            Action::SetLang(lang) => {
                self.lang = lang;
                return;
            }
            Action::Touch(field) => {
                touch(&mut self.touched, &[field]);
                return;
            }
            Action::SubmitStarted => {
                self.submission = Submission::Sending;
                return;
            }
            Action::SubmitFinished(submission) => {
                self.submission = submission;
                self.answered += 1;
                return;
            }
            Action::DismissSubmission => {
                self.submission = Submission::None;
                return;
            }
            Action::StatusRead { application, reading } => {
                if let Submission::Accepted { application: shown, tracking, .. } = &mut self.submission
                    && *shown == application
                {
                    tracking.read(reading);
                }
                return;
            }
            Action::ResidentId(text) => self.set_resident_id(text),
            Action::BirthDate(text) => form.birth_date = text,
            Action::Sex(sex) => {
                form.sex = Some(sex);
                touch(&mut self.touched, &[field::SEX]);
            }
            Action::Smoker(smoker) => form.smoker = smoker,
            Action::OccupationClass(class) => form.occupation_class = class,
            Action::SocialInsurance(yes) => form.social_insurance = yes,
            Action::Region(code) => form.region = code,
            Action::HeightCm(text) => form.height_cm = text,
            Action::WeightKg(text) => form.weight_kg = text,
            Action::AnnualIncome(text) => form.annual_income = text,
            Action::ExistingCover(text) => form.existing_cover = text,
            Action::Answer { question, yes } => {
                let answer = form.health_answers.entry(question).or_insert(HealthAnswer { yes, follow_up: None });
                answer.yes = yes;
                if !yes {
                    answer.follow_up = None;
                }
            }
            Action::FollowUp { question, option } => {
                let answer = form.health_answers.entry(question).or_insert(HealthAnswer { yes: true, follow_up: None });
                answer.follow_up = Some(option).filter(|o| !o.is_empty());
            }
            Action::ChooseBundle(id) => {
                if let Some(bundle) = self.catalogue.bundles.iter().find(|b| b.id == id) {
                    form.coverages = bundle
                        .items
                        .iter()
                        .filter_map(|item| {
                            self.catalogue.product(&item.product, date).map(|p| CoverageForm::from_request(p, item))
                        })
                        .collect();
                    form.bundle = Some(id);
                }
            }
            Action::CouponDraft(text) => form.coupon_draft = text,
            Action::AddCoupon => {
                let code = form.coupon_draft.trim().to_owned();
                if !code.is_empty() && !form.coupons.contains(&code) {
                    form.coupons.push(code);
                }
                form.coupon_draft.clear();
            }
            Action::RemoveCoupon(code) => form.coupons.retain(|c| *c != code),
            Action::ToggleProduct(code) => {
                form.bundle = None;
                if let Some(i) = form.coverages.iter().position(|c| c.product == code) {
                    form.coverages.remove(i);
                } else if let Some(product) = self.catalogue.product(&code, date) {
                    form.coverages.push(CoverageForm::new(product));
                }
                touch(&mut self.touched, &[field::COVERAGES]);
            }
            Action::Coverage(i, change) => {
                if let Some(coverage) = form.coverages.get_mut(i) {
                    apply_coverage(coverage, change);
                }
            }
            Action::Prefill(prefill) => self.prefill(*prefill),
            Action::Restore(kept) => {
                *form = *kept;
                // What was typed before was seen before: its "required" errors may show.
                touch(&mut self.touched, &[field::BIRTH_DATE, field::SEX]);
            }
            Action::StartOver => {
                let revision = self.revision;
                *self = State::new(self.catalogue.clone(), self.settings.clone(), self.lang);
                self.revision = revision + 1;
                return;
            }
        }
        self.keep = true;
        // A changed form makes any earlier submission result stale; the list of what an application
        // still needs stays while something is missing, so answering one question leaves the rest listed.
        if !matches!(self.submission, Submission::Sending | Submission::Incomplete) {
            self.submission = Submission::None;
        }
        self.outcome = Rc::new(evaluate(&self.catalogue, &self.settings, &self.form));
        self.recommendations = Rc::new(recommend(&self.catalogue, &self.settings, &self.form));
        if self.submission == Submission::Incomplete && self.missing().is_empty() {
            self.submission = Submission::None;
        }
        self.revision += 1;
    }

    /// The resident ID number as typed. A valid one fills in the birth date and sex it carries (shown,
    /// not typed), which stay if the number is removed again.
    fn set_resident_id(&mut self, text: String) {
        if let Ok(id) = resident_id::parse(&text, self.settings.quote_date, field::RESIDENT_ID) {
            self.form.birth_date = id.birth_date.to_string();
            self.form.sex = Some(id.sex);
            touch(&mut self.touched, &[field::BIRTH_DATE, field::SEX]);
        }
        self.form.resident_id = text;
    }

    fn prefill(&mut self, prefill: Prefill) {
        if let Some(id) = prefill.insured.as_ref().and_then(|i| i.resident_id.clone()) {
            self.set_resident_id(id);
        }
        let form = &mut self.form;
        if let Some(insured) = prefill.insured {
            let text = |d: Option<rust_decimal::Decimal>, current: &mut String| {
                if let Some(d) = d {
                    *current = d.to_string();
                }
            };
            text(insured.height_cm, &mut form.height_cm);
            text(insured.weight_kg, &mut form.weight_kg);
            text(insured.annual_income, &mut form.annual_income);
            text(insured.existing_cover, &mut form.existing_cover);
            if let Some(answers) = insured.health_answers {
                form.health_answers = answers;
            }
            if let Some(birth) = insured.birth_date {
                form.birth_date = birth.to_string();
                touch(&mut self.touched, &[field::BIRTH_DATE]);
            }
            if let Some(sex) = insured.sex {
                form.sex = Some(sex);
                touch(&mut self.touched, &[field::SEX]);
            }
            form.smoker = insured.smoker.unwrap_or(form.smoker);
            form.occupation_class = insured.occupation_class.unwrap_or(form.occupation_class);
            form.social_insurance = insured.social_insurance.unwrap_or(form.social_insurance);
            if let Some(region) = insured.region {
                form.region = region;
            }
        }
        if let Some(coupons) = prefill.coupons {
            form.coupons = coupons;
        }
        if prefill.bundle.is_some() {
            form.bundle = prefill.bundle;
        }
        if let Some(coverages) = prefill.coverages {
            let date = self.settings.quote_date;
            form.coverages = coverages
                .iter()
                .filter_map(|c| self.catalogue.product(&c.product, date).map(|p| CoverageForm::from_request(p, c)))
                .collect();
        }
    }
}

/// The person has left (or a prefill has given) these fields.
fn touch(touched: &mut Vec<&'static str>, fields: &[&'static str]) {
    for field in fields {
        if !touched.contains(field) {
            touched.push(field);
        }
    }
}

impl yew::Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.apply(action);
        Rc::new(next)
    }
}

fn apply_coverage(coverage: &mut CoverageForm, change: CoverageAction) {
    match change {
        CoverageAction::Amount(text) => coverage.amount = text,
        CoverageAction::CoverageTerm(text) => coverage.coverage_term = text,
        CoverageAction::PaymentTerm(text) => {
            // Single premium is paid once: only an annual frequency makes sense with it.
            if text == PaymentTerm::Single.to_string() {
                coverage.frequency = Frequency::Annual;
            }
            coverage.payment_term = text;
        }
        CoverageAction::Frequency(frequency) => coverage.frequency = frequency,
        CoverageAction::Plan(plan) => coverage.plan = Some(plan),
        CoverageAction::PayoutStartAge(age) => coverage.payout_start_age = Some(age),
        CoverageAction::GuaranteedYears(years) => coverage.guaranteed_years = Some(years),
        CoverageAction::Rider { code, chosen } => {
            if let Some(rider) = coverage.riders.iter_mut().find(|r| r.code == code) {
                rider.chosen = chosen;
            }
        }
        CoverageAction::RiderAmount { code, amount } => {
            if let Some(rider) = coverage.riders.iter_mut().find(|r| r.code == code) {
                rider.amount = amount;
            }
        }
    }
}

/// Price the form: build the request, then ask the core.
pub fn evaluate(catalogue: &Catalogue, settings: &Settings, form: &Form) -> QuoteOutcome {
    match build_request(catalogue, settings, form) {
        Ok(request) => match premia_core::quote(catalogue, &request) {
            Ok(quote) => QuoteOutcome::Priced(Box::new(quote)),
            Err(errors) => QuoteOutcome::Invalid(errors.into_vec()),
        },
        Err(errors) => QuoteOutcome::Invalid(errors),
    }
}

/// The bundles the core recommends for the person as typed: nothing until their age is known (the
/// core's own errors for the person are shown by the quote). Coupons entered count in their prices.
pub fn recommend(catalogue: &Catalogue, settings: &Settings, form: &Form) -> Vec<Recommendation> {
    let Ok(request) = build_request(catalogue, settings, &Form { coverages: Vec::new(), ..form.clone() }) else {
        return Vec::new();
    };
    let profile = Profile { insured: request.insured, channel: request.channel, coupons: request.coupons };
    let offered = |r: &Recommendation| {
        settings.offered.as_ref().is_none_or(|codes| r.quote.coverages.iter().all(|c| codes.contains(&c.product)))
    };
    premia_core::bundle::recommend(catalogue, &profile, settings.quote_date)
        .map(|all| all.into_iter().filter(offered).collect())
        .unwrap_or_default()
}

/// The health questions of the chosen products, each once, in the order the products ask them.
pub fn questions<'c>(
    catalogue: &'c Catalogue,
    settings: &Settings,
    form: &Form,
) -> Vec<&'c premia_core::underwriting::Question> {
    let mut seen = Vec::new();
    for coverage in &form.coverages {
        if let Some(product) = catalogue.product(&coverage.product, settings.quote_date) {
            for question in product.questions(catalogue) {
                if !seen.iter().any(|q: &&premia_core::underwriting::Question| q.id == question.id) {
                    seen.push(question);
                }
            }
        }
    }
    seen
}

/// Turn the typed form into a request. Text that cannot be read becomes the core's own error for that
/// field (e.g. `decimal.invalid`), so the person sees one kind of message whatever went wrong.
pub fn build_request(catalogue: &Catalogue, settings: &Settings, form: &Form) -> Result<QuoteRequest, Vec<Error>> {
    let mut errors = Vec::new();
    // The number as the core reads it (spaces, hyphens and full-width digits as the person meant them).
    let resident_id = Some(resident_id::normalize(&form.resident_id)).filter(|id| !id.is_empty());
    // With a resident ID the core takes birth date and sex from it: the form sends neither, so the two
    // cannot contradict each other. Without one, the core says which of them is missing.
    let by_id = resident_id.is_some();
    let birth_date = match form.birth_date.trim() {
        _ if by_id => None,
        "" => None,
        text => match premia_core::age::parse_date(text) {
            Some(date) => Some(date),
            None => {
                errors.push(Error::new(field::BIRTH_DATE, ErrorKind::NotADate { value: text.to_owned() }));
                None
            }
        },
    };
    let mut optional =
        |text: &str, field: &str| (!text.trim().is_empty()).then(|| decimal(text, field, &mut errors)).flatten();
    let height_cm = optional(&form.height_cm, field::HEIGHT);
    let weight_kg = optional(&form.weight_kg, field::WEIGHT);
    let annual_income = optional(&form.annual_income, field::INCOME);
    let existing_cover = optional(&form.existing_cover, field::EXISTING_COVER);
    let mut coverages = Vec::with_capacity(form.coverages.len());
    for (i, coverage) in form.coverages.iter().enumerate() {
        let product = catalogue.product(&coverage.product, settings.quote_date);
        if let Some(request) = build_coverage(product, coverage, &format!("coverages[{i}]"), &mut errors) {
            coverages.push(request);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let region = form.region.trim();
    Ok(QuoteRequest {
        quote_date: settings.quote_date,
        insured: Insured {
            birth_date,
            age: None,
            resident_id,
            sex: if by_id { None } else { form.sex },
            smoker: form.smoker,
            occupation_class: form.occupation_class,
            social_insurance: form.social_insurance,
            region: (!region.is_empty()).then(|| region.to_owned()),
            height_cm,
            weight_kg,
            annual_income,
            existing_cover,
            health_answers: form.health_answers.clone(),
        },
        coverages,
        channel: settings.channel.clone(),
        coupons: form.coupons.clone(),
        bundle: form.bundle.clone(),
    })
}

fn build_coverage(
    product: Option<&Product>,
    form: &CoverageForm,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<CoverageRequest> {
    let before = errors.len();
    let amount_field = product.map_or("sum_assured", options::amount_field);
    let amount = decimal(&form.amount, &format!("{field}.{amount_field}"), errors);
    let coverage_term = term::<CoverageTerm>(&form.coverage_term, &format!("{field}.coverage_term"), errors);
    let payment_term = term::<PaymentTerm>(&form.payment_term, &format!("{field}.payment_term"), errors);
    let mut riders = Vec::new();
    let rider_rules = product.map(|p| &p.riders);
    for (j, rider) in form.riders.iter().filter(|r| r.chosen).enumerate() {
        let own_amount =
            rider_rules.and_then(|rules| rules.iter().find(|r| r.code == rider.code)).and_then(|r| r.amount);
        let sum_assured = match own_amount {
            Some(_) => decimal(&rider.amount, &format!("{field}.riders[{j}].sum_assured"), errors),
            None => None,
        };
        riders.push(RiderRequest { code: rider.code.clone(), sum_assured });
    }
    if errors.len() != before {
        return None;
    }
    let annuity = product.is_some_and(options::is_annuity);
    Some(CoverageRequest {
        product: form.product.clone(),
        sum_assured: if annuity { None } else { amount },
        annuity_amount: if annuity { amount } else { None },
        coverage_term: coverage_term?,
        payment_term: payment_term?,
        frequency: form.frequency,
        plan: form.plan.clone(),
        payout_start_age: form.payout_start_age.filter(|_| annuity),
        guaranteed_years: form.guaranteed_years.filter(|_| annuity),
        riders,
    })
}

/// An amount or a figure as people type it ("50万", "500,000", full-width digits): the core reads it.
fn decimal(text: &str, field: &str, errors: &mut Vec<Error>) -> Option<rust_decimal::Decimal> {
    money::read_typed(text).map_err(|kind| errors.push(Error::new(field, kind))).ok()
}

/// What an amount typed in another way than the plain number was read as ("50万" → 500000), to show
/// back beside it; `None` when it was typed plainly or cannot be read.
pub fn understood(text: &str) -> Option<rust_decimal::Decimal> {
    money::read_typed(text).ok().filter(|value| value.to_string() != text.trim())
}

fn term<T: std::str::FromStr<Err = premia_core::term::TermSyntaxError>>(
    text: &str,
    field: &str,
    errors: &mut Vec<Error>,
) -> Option<T> {
    match text.parse::<T>() {
        Ok(term) => Some(term),
        Err(e) => {
            errors.push(Error::new(field, ErrorKind::BadTerm { value: e.text, expected: e.expected }));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yew::Reducible;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn fresh(offered: Option<&[&str]>) -> Rc<State> {
        let settings = Settings {
            quote_date: date(2026, 11, 25),
            channel: Channel::Direct,
            offered: offered.map(|codes| codes.iter().map(|c| (*c).to_owned()).collect()),
            page_heading: false,
            buy: false,
        };
        Rc::new(State::new(Rc::new(premia_core::demo::catalogue()), Rc::new(settings), Lang::Zh))
    }

    fn run(state: Rc<State>, actions: impl IntoIterator<Item = Action>) -> Rc<State> {
        actions.into_iter().fold(state, Reducible::reduce)
    }

    /// The catalogue's own test case: CI v2, female 30, 500,000 lifelong, 20-year pay → 9,715.00 a year.
    fn ci_customer() -> Vec<Action> {
        vec![Action::BirthDate("1996-05-01".into()), Action::Sex(Sex::Female)]
    }

    #[test]
    fn a_fresh_form_has_no_price_and_shows_no_required_errors_yet() {
        let state = fresh(None);
        assert!(state.quote().is_none());
        assert_eq!(state.form.coverages.len(), 1, "the first product is pre-selected");
        assert!(state.visible_errors().is_empty(), "{:?}", state.visible_errors());
    }

    #[test]
    fn typing_the_person_prices_the_preselected_product_like_the_core() {
        let state = run(fresh(None), ci_customer());
        let quote = state.quote().expect("priced");
        assert_eq!(quote.coverages[0].product, "CI");
        assert_eq!(quote.coverages[0].annual_premium.to_string(), "9715.00");
        let direct = premia_core::quote(&state.catalogue, &state.request().unwrap()).unwrap();
        assert_eq!(quote.digest, direct.digest, "the page shows exactly what the core computes");
    }

    #[test]
    fn amounts_are_read_as_people_type_them_and_what_cannot_be_read_is_said_in_words() {
        let state = run(fresh(None), ci_customer());
        for typed in ["50万", "５０万", "500,000", "５０００００", "50 0000", "￥500000元"] {
            let state = run(state.clone(), [Action::Coverage(0, CoverageAction::Amount(typed.into()))]);
            let quote = state.quote().unwrap_or_else(|| panic!("{typed}: {:?}", state.outcome));
            assert_eq!(quote.coverages[0].sum_assured.map(|d| d.to_string()).as_deref(), Some("500000"), "{typed}");
            assert_eq!(understood(typed).map(|d| d.to_string()).as_deref(), Some("500000"), "shown back: {typed}");
            assert_eq!(state.form.coverages[0].amount, typed, "kept as typed");
        }
        assert_eq!(understood("500000"), None, "nothing to show back for a plain number");
        let state = run(state, [Action::Coverage(0, CoverageAction::Amount("五十万".into()))]);
        let errors = state.errors_for("coverages[0].sum_assured");
        assert_eq!(errors[0].code(), "amount.invalid");
        assert!(!errors[0].message().zh.contains("十进制"), "no jargon: {}", errors[0].message().zh);
        let state = run(state, [Action::Coverage(0, CoverageAction::Amount("505,000".into()))]);
        assert_eq!(state.errors_for("coverages[0].sum_assured")[0].code(), "amount.step", "now the core's rule");
        let state = run(state, [Action::Coverage(0, CoverageAction::Amount("60万".into()))]);
        assert!(state.quote().is_some());
    }

    #[test]
    fn required_errors_wait_until_the_field_is_touched() {
        let state = run(fresh(None), [Action::Sex(Sex::Male)]);
        assert!(state.errors_for(field::BIRTH_DATE).is_empty());
        let state = run(state, [Action::Touch(field::BIRTH_DATE)]);
        assert_eq!(state.errors_for(field::BIRTH_DATE)[0].code(), "required");
    }

    #[test]
    fn age_limits_are_the_cores_and_name_the_product() {
        let state = run(fresh(None), [Action::BirthDate("1960-01-01".into()), Action::Sex(Sex::Male)]);
        let errors = state.errors_for("coverages[0].product");
        assert_eq!(errors[0].code(), "age.above_max");
        assert!(errors[0].message().en.contains("Anxin Critical Illness"), "{}", errors[0].message().en);
        // The birth date is marked too: changing it fixes the price.
        assert_eq!(state.errors_for(field::BIRTH_DATE)[0].code(), "age.above_max");
    }

    #[test]
    fn products_toggle_and_riders_add_their_premium() {
        let state = run(fresh(None), ci_customer());
        let base = state.quote().unwrap().totals.annual_premium;
        let state = run(state, [Action::Coverage(0, CoverageAction::Rider { code: "CI-WOP".into(), chosen: true })]);
        let with_rider = state.quote().unwrap();
        assert_eq!(with_rider.coverages[0].riders.len(), 1);
        assert!(with_rider.totals.annual_premium > base);
        let state = run(state, [Action::ToggleProduct("MED".into()), Action::ToggleProduct("CI".into())]);
        assert_eq!(state.form.coverages.len(), 1);
        assert_eq!(state.quote().unwrap().coverages[0].product, "MED");
    }

    #[test]
    fn the_widget_offers_only_its_products() {
        let state = fresh(Some(&["MED", "ACC"]));
        let codes: Vec<_> = state.offered_products().iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["MED", "ACC"]);
        assert_eq!(state.form.coverages[0].product, "MED");
    }

    #[test]
    fn choosing_single_premium_sets_an_annual_frequency() {
        let state = run(
            fresh(None),
            [
                Action::Coverage(0, CoverageAction::Frequency(Frequency::Monthly)),
                Action::Coverage(0, CoverageAction::PaymentTerm("single".into())),
            ],
        );
        assert_eq!(state.form.coverages[0].frequency, Frequency::Annual);
    }

    #[test]
    fn prefill_uses_the_request_spelling_and_refuses_unknown_fields() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{"insured":{"birth_date":"1991-01-15","sex":"male","occupation_class":2},
                "coverages":[{"product":"MED","coverage_term":"years:1","payment_term":"years:1",
                              "frequency":"monthly","plan":"D10K"}]}"#,
        )
        .unwrap();
        let prefill = Prefill::from_json(&Json::from(&json)).unwrap();
        assert_eq!(
            prefill,
            serde_json::from_value::<Prefill>(json).unwrap(),
            "the reader and the declared shape agree"
        );
        let state = run(fresh(None), [Action::Prefill(Box::new(prefill))]);
        let quote = state.quote().expect("priced");
        assert_eq!(quote.coverages[0].instalment_premium.to_string(), "27.98", "the catalogue's MED test case");
        let misspelt = serde_json::json!({"insured": {"birthdate": "1991-01-15", "sex": "other"}, "bundle": null});
        let errors = Prefill::from_json(&Json::from(&misspelt)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["prefill.insured.birthdate", "prefill.insured.sex"], "each broken field by its path");
        assert!(serde_json::from_value::<Prefill>(misspelt).is_err());
    }

    #[test]
    fn agent_codes_are_checked_by_the_core() {
        let settings = Settings {
            quote_date: date(2026, 11, 25),
            channel: Channel::Agent { agent_code: "a-1".into() },
            offered: None,
            page_heading: false,
            buy: false,
        };
        let state = Rc::new(State::new(Rc::new(premia_core::demo::catalogue()), Rc::new(settings), Lang::En));
        let state = run(state, ci_customer());
        let placed = state.placed_fields();
        assert_eq!(state.unplaced_errors(&placed)[0].code(), "agent_code.invalid");
    }

    #[test]
    fn bundles_are_recommended_once_the_age_is_known_and_choosing_one_takes_its_items_and_discount() {
        let state = fresh(None);
        assert!(state.recommendations.is_empty(), "no age, no recommendation");
        let state = run(state, ci_customer());
        let ids: Vec<_> = state.recommendations.iter().map(|r| r.bundle.as_str()).collect();
        assert!(ids.contains(&"YOUNG-PROTECT"), "{ids:?}");
        let state = run(state, [Action::ChooseBundle("YOUNG-PROTECT".into())]);
        let quote = state.quote().expect("priced");
        let products: Vec<_> = quote.coverages.iter().map(|c| c.product.as_str()).collect();
        assert_eq!(products, ["CI", "MED"]);
        assert_eq!(quote.request.bundle.as_deref(), Some("YOUNG-PROTECT"));
        assert_eq!(quote.discounts[0].code, "YOUNG-PROTECT");
        let recommended = state.recommendations.iter().find(|r| r.bundle == "YOUNG-PROTECT").unwrap();
        assert_eq!(recommended.quote.totals, quote.totals, "the card's price is the price you get");
        let state = run(state, [Action::ToggleProduct("ACC".into())]);
        assert_eq!(state.form.bundle, None, "changing the products leaves the bundle");
    }

    #[test]
    fn coupons_apply_or_say_why_not() {
        let state = run(fresh(None), ci_customer());
        let state = run(state, [Action::CouponDraft(" PROMO-NOV ".into()), Action::AddCoupon]);
        assert_eq!(state.form.coupons, ["PROMO-NOV"]);
        assert_eq!(state.form.coupon_draft, "");
        let quote = state.quote().unwrap();
        assert_eq!(quote.totals.discount_first_year.to_string(), "485.75", "the catalogue's campaign test case");
        let state = run(state, [Action::CouponDraft("NOPE".into()), Action::AddCoupon]);
        let rejected = &state.quote().unwrap().rejected_coupons;
        assert_eq!(rejected[0].code, "coupon.unknown");
        let state = run(state, [Action::RemoveCoupon("PROMO-NOV".into()), Action::RemoveCoupon("NOPE".into())]);
        assert!(state.quote().unwrap().discounts.is_empty());
    }

    #[test]
    fn health_answers_reach_underwriting_and_a_decline_comes_with_its_reason() {
        let state = run(fresh(None), ci_customer());
        let questions: Vec<_> =
            questions(&state.catalogue, &state.settings, &state.form).iter().map(|q| q.id.clone()).collect();
        assert_eq!(questions[0], "CANCER");
        let state = run(state, [Action::Answer { question: "CANCER".into(), yes: true }]);
        let quote = state.quote().expect("a decline is an answer, not an error");
        assert_eq!(quote.declined[0].product, "CI");
        assert_eq!(quote.decision.outcome, premia_core::underwriting::Outcome::Decline);
        assert!(!quote.declined[0].decision.reasons.is_empty());
        let state = run(
            state,
            [
                Action::Answer { question: "CANCER".into(), yes: false },
                Action::Answer { question: "HTN".into(), yes: true },
                Action::FollowUp { question: "HTN".into(), option: "CONTROLLED".into() },
            ],
        );
        let loading = state.quote().unwrap().coverages[0].decision.loading();
        assert_eq!(loading.to_string(), "0.25");
        let state = run(state, [Action::Answer { question: "HTN".into(), yes: false }]);
        assert_eq!(state.form.health_answers["HTN"].follow_up, None, "a no drops the follow-up");
    }

    #[test]
    fn underwriting_figures_are_read_as_decimals_with_the_cores_error() {
        let state = run(fresh(None), ci_customer());
        let state = run(state, [Action::HeightCm("1米65".into())]);
        assert_eq!(state.errors_for(field::HEIGHT)[0].code(), "amount.invalid");
        // Metres typed for centimetres, a weight of 0: input errors on their fields, not decisions.
        let state = run(state, [Action::HeightCm("1.65".into()), Action::WeightKg("58".into())]);
        assert_eq!(state.errors_for(field::HEIGHT)[0].code(), "measure.impossible");
        assert!(state.quote().is_none());
        let state = run(state, [Action::HeightCm("１６５".into()), Action::WeightKg("0".into())]);
        assert_eq!(state.errors_for(field::WEIGHT)[0].code(), "measure.impossible");
        let state = run(state, [Action::HeightCm("165".into()), Action::WeightKg("58".into())]);
        assert_eq!(state.quote().unwrap().request.insured.height_cm.map(|h| h.to_string()), Some("165".into()));
    }

    #[test]
    fn server_answers_become_submissions() {
        let payload = "{}".to_owned();
        let created = r#"{"application":"P20261125000001","status":"referred","digest":"x"}"#;
        assert_eq!(
            Submission::from_response(201, created, payload.clone()),
            Submission::Accepted {
                application: "P20261125000001".into(),
                status: "referred".into(),
                tracking: Box::default()
            }
        );
        let refused =
            r#"{"errors":[{"code":"underwriting.pending","field":"","message":{"zh":"请补充","en":"complete it"}}]}"#;
        let Submission::Refused { status: 422, errors } = Submission::from_response(422, refused, payload.clone())
        else {
            panic!("a 422 is a refusal");
        };
        assert_eq!(errors[0].code, "underwriting.pending");
        assert_eq!(Submission::from_response(404, "not found", payload.clone()), Submission::Unavailable { payload });
        let Submission::Refused { errors, .. } = Submission::from_response(502, "<html>bad gateway", String::new())
        else {
            panic!("a 502 is a refusal");
        };
        assert!(errors[0].message.en.contains("HTTP 502"));
    }

    #[test]
    fn an_application_is_the_quote_beside_the_number_it_was_priced_with() {
        // Priced by birth date and sex (and complete for underwriting): submitting asks for the number,
        // and sends nothing.
        let state = run(fresh(None), ci_customer().into_iter().chain(applicant().into_iter().skip(1)));
        assert!(state.quote().is_some());
        assert_eq!(state.application(), Err(Submission::ResidentIdNeeded));
        let state = run(state, [Action::SubmitFinished(Submission::ResidentIdNeeded)]);
        assert_eq!(state.submission, Submission::ResidentIdNeeded);
        // Typing the number re-prices the quote with it (same person: same price) and clears the request.
        // 1996-05-01, sequence 002 (even: female), Beijing Dongcheng, with its check character.
        let number = "110101199605010024";
        let state = run(state, [Action::ResidentId(format!(" {number} "))]);
        assert_eq!(state.submission, Submission::None);
        let quote = state.quote().expect("priced with the number");
        assert_eq!(quote.totals.annual_premium.to_string(), "9715.00");
        let application = state.application().expect("ready to send");
        let compact = serde_json::to_string(quote).unwrap();
        // The number as typed: the server reads it as the core does.
        assert_eq!(application.body, format!("{{\"quote\":{compact},\"resident_id\":\" {number} \"}}"));
        assert_eq!(application.digest, quote.digest);
        let pretty: serde_json::Value = serde_json::from_str(&application.pretty()).unwrap();
        assert_eq!(pretty["resident_id"], format!(" {number} "));
        // A number that is not valid gives no quote, so nothing to submit.
        let state = run(state, [Action::ResidentId("1101011996".into())]);
        assert_eq!(state.application(), Err(Submission::None));
    }

    #[test]
    fn a_requote_is_shown_and_confirmed_with_the_servers_own_quote_and_stamp() {
        let state = run(fresh(None), ci_customer());
        let quote = state.quote().expect("priced");
        let fresh = serde_json::to_string(quote).unwrap();
        let body = format!(
            r#"{{"errors":[{{"code":"quote.requote_needed","field":"quote.request.quote_date","message":{{"zh":"请确认新报价","en":"confirm the fresh quote"}}}}],"requote":{{"reason":"dated_before_today","fresh":{fresh},"stamp":"h.p.s"}}}}"#
        );
        let Submission::Requote(requote) = Submission::from_response(409, &body, String::new()) else {
            panic!("a 409 re-quote is shown as one");
        };
        assert_eq!(requote.reason, "dated_before_today");
        assert_eq!(requote.fresh, fresh, "the server's bytes, to send back as they are");
        assert_eq!(requote.annual_premium, "9715.00");
        assert_eq!(requote.message.en, "confirm the fresh quote");
        let number = "110101199605010024";
        let application = Application::confirmed(&requote, &format!(" {number} "));
        assert_eq!(application.body, format!(r#"{{"quote":{fresh},"resident_id":" {number} ","stamp":"h.p.s"}}"#));
        assert_eq!(application.digest, quote.digest);
        // Another 409 (a redeemed coupon) is a refusal.
        let redeemed = r#"{"errors":[{"code":"coupon.redeemed","field":"quote.request.coupons[0]","message":{"zh":"已使用","en":"used"}}]}"#;
        assert!(matches!(
            Submission::from_response(409, redeemed, String::new()),
            Submission::Refused { status: 409, .. }
        ));
    }

    #[test]
    fn each_entered_code_is_matched_to_its_discount_or_its_refusal() {
        let state = run(fresh(None), ci_customer());
        assert_eq!(fresh(None).coupon_status("PROMO-NOV"), CouponStatus::Waiting, "no quote yet");
        // A token-shaped code whose signature (64 zero bytes) is not the catalogue's: refused, and the
        // core names it by its first characters, which is how the page finds its line.
        let forged = format!("PV1.eyJ4IjoxfQ.{}", "A".repeat(86));
        let state = run(
            state,
            [
                Action::CouponDraft("PROMO-NOV".into()),
                Action::AddCoupon,
                Action::CouponDraft(forged.clone()),
                Action::AddCoupon,
            ],
        );
        let CouponStatus::Applied(discount) = state.coupon_status("PROMO-NOV") else {
            panic!("{:?}", state.coupon_status("PROMO-NOV"));
        };
        assert_eq!(discount.first_year.to_string(), "485.75");
        let CouponStatus::Refused(refused) = state.coupon_status(&forged) else {
            panic!("{:?}", state.coupon_status(&forged));
        };
        assert_eq!(refused.code, "coupon.bad_signature");
        assert_eq!(refused.coupon, shortened(&forged));
    }

    #[test]
    fn a_blocking_error_is_said_with_where_to_fix_it_not_as_missing_details() {
        // Born 1950: over CI's issue age. Birth date and sex are both given.
        let state = run(fresh(None), [Action::BirthDate("1950-01-01".into()), Action::Sex(Sex::Female)]);
        assert!(state.quote().is_none());
        let shown = state.visible_errors();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].code(), "age.above_max");
        assert_eq!(
            crate::view::focus_selector(&state, shown[0]).as_deref(),
            Some("#premia-insured-birth_date"),
            "the panel takes the person to the birth date"
        );
        // By resident ID number, the age comes from the number: that is where to go.
        let number = "110101195001010021";
        let state = run(state, [Action::ResidentId(number.into())]);
        assert_eq!(state.age_field(), field::RESIDENT_ID);
        let shown = state.visible_errors();
        assert_eq!(crate::view::focus_selector(&state, shown[0]).as_deref(), Some("#premia-insured-resident_id"));
        // An amount's error takes the person to the amount.
        let state = run(fresh(None), ci_customer());
        let state = run(state, [Action::Coverage(0, CoverageAction::Amount("505000".into()))]);
        let shown = state.visible_errors();
        assert_eq!(crate::view::focus_selector(&state, shown[0]).as_deref(), Some("#premia-coverages-0-sum_assured"));
    }

    #[test]
    fn a_valid_resident_id_fills_in_birth_date_and_sex_however_it_is_typed() {
        // 1996-05-01, sequence 002 (female), Beijing Dongcheng: with spaces, full-width digits, hyphens.
        for typed in [
            "110101199605010024",
            "110101 19960501 0024",
            "１１０１０１１９９６０５０１００２４",
            "110101-19960501-0024",
        ] {
            let state = run(fresh(None), [Action::ResidentId(typed.into())]);
            assert!(state.by_resident_id());
            assert_eq!(state.form.birth_date, "1996-05-01", "{typed}");
            assert_eq!(state.form.sex, Some(Sex::Female), "{typed}");
            assert_eq!(state.resident_id().map(|id| id.number).as_deref(), Some("110101199605010024"));
            let quote = state.quote().unwrap_or_else(|| panic!("{typed}: {:?}", state.outcome));
            assert_eq!(quote.totals.annual_premium.to_string(), "9715.00");
        }
        // Half typed: not read yet, nothing filled in; cleared again: what it filled in stays.
        let state = run(fresh(None), [Action::ResidentId("1101011996".into())]);
        assert_eq!(state.form.birth_date, "");
        let state = run(state, [Action::ResidentId("110101199605010024".into()), Action::ResidentId(String::new())]);
        assert!(!state.by_resident_id());
        assert_eq!((state.form.birth_date.as_str(), state.form.sex), ("1996-05-01", Some(Sex::Female)));
        assert!(state.quote().is_some());
    }

    #[test]
    fn the_form_is_kept_for_a_reload_without_the_resident_id_number() {
        let state = run(
            fresh(Some(&["CI", "MED"])),
            [
                Action::ResidentId("110101199605010024".into()),
                Action::Smoker(true),
                Action::HeightCm("１６５".into()),
                Action::Answer { question: "HTN".into(), yes: true },
                Action::FollowUp { question: "HTN".into(), option: "CONTROLLED".into() },
                Action::ToggleProduct("MED".into()),
                Action::Coverage(0, CoverageAction::Amount("50万".into())),
                Action::Coverage(0, CoverageAction::Rider { code: "CI-WOP".into(), chosen: true }),
                Action::Coverage(1, CoverageAction::Frequency(Frequency::Monthly)),
                Action::CouponDraft("PROMO".into()),
            ],
        );
        assert!(state.keep);
        let kept = crate::saved::write(&state.form);
        assert!(!kept.contains("110101199605010024"), "never the ID number: {kept}");
        let again = State::restored(state.catalogue.clone(), state.settings.clone(), Lang::En, Some(&kept));
        assert_eq!(again.form, Form { resident_id: String::new(), ..state.form.clone() });
        assert_eq!(again.quote().map(|q| &q.totals), state.quote().map(|q| &q.totals), "the same price again");
        // Damaged or foreign text starts afresh; a product this app does not offer is left out.
        let fresh_state = fresh(Some(&["CI", "MED"]));
        for junk in [
            "",
            "{",
            "premia-form 0\nsex=female",
            "premia-form 1\nsex=other\noccupation_class=x\nproduct=TERM\namount=1",
        ] {
            let restored = State::restored(state.catalogue.clone(), state.settings.clone(), Lang::Zh, Some(junk));
            assert_eq!(restored.form, fresh_state.form, "{junk}");
        }
        // Start over: a fresh form, and nothing to keep.
        let over = run(state, [Action::StartOver]);
        assert_eq!(over.form, fresh_state.form);
        assert!(!over.keep);
    }

    #[test]
    fn mixed_frequencies_say_what_is_paid_when() {
        // CI paid monthly beside MED paid yearly: no "per year" figure that leaves out the monthly loading.
        let state = run(
            fresh(None),
            [
                Action::BirthDate("1996-05-01".into()),
                Action::Sex(Sex::Female),
                Action::ToggleProduct("MED".into()),
                Action::Coverage(0, CoverageAction::Frequency(Frequency::Monthly)),
            ],
        );
        let quote = state.quote().unwrap();
        let paid = quote.instalments();
        assert_eq!(paid.iter().map(|(f, _)| *f).collect::<Vec<_>>(), [Frequency::Monthly, Frequency::Annual]);
        let first_year: rust_decimal::Decimal =
            paid.iter().map(|(f, amount)| amount * rust_decimal::Decimal::from(f.instalments_per_year())).sum();
        assert_eq!(first_year, quote.totals.first_year_premium);
        assert!(quote.totals.first_year_premium > quote.totals.annual_premium);
    }

    #[test]
    fn a_prefill_naming_a_product_not_offered_says_so() {
        let state = fresh(Some(&["CI", "MED"]));
        let read = |json: &str| {
            let value = premia_core::json::parse(json).unwrap();
            Prefill::read(&value, &state.catalogue, &state.settings)
                .map(|_| Vec::new())
                .unwrap_or_else(|e| e.iter().map(|e| (e.field.clone(), e.code().to_owned())).collect())
        };
        assert_eq!(
            read(r#"{"coverages":[{"product":"NOPE"}]}"#),
            [("prefill.coverages[0].product".to_owned(), "unknown".to_owned())]
        );
        assert_eq!(
            read(r#"{"coverages":[{"product":"TERM"}]}"#),
            [("prefill.coverages[0].product".to_owned(), "unknown".to_owned())],
            "not this widget's"
        );
        let both = read(r#"{"insured":{"sex":"x"},"coverages":[{"product":"MED"},{"product":"NOPE"}]}"#);
        assert_eq!(both, [("prefill.coverages[1].product".to_owned(), "unknown".to_owned())], "the product first");
        let known = read(r#"{"insured":{"sex":"x"},"coverages":[{"product":"MED"}]}"#);
        assert!(known.contains(&("prefill.insured.sex".to_owned(), "syntax".to_owned())), "{known:?}");
        assert_eq!(
            read(
                r#"{"coverages":[{"product":"MED","coverage_term":"years:1","payment_term":"years:1","frequency":"annual","plan":"D10K"}]}"#
            ),
            []
        );
    }

    /// The demo customer, complete for an application: by resident ID number, height and weight, and
    /// every question of CI answered "no".
    fn applicant() -> Vec<Action> {
        let mut actions = vec![
            Action::ResidentId("110101199605010024".into()),
            Action::HeightCm("165".into()),
            Action::WeightKg("58".into()),
        ];
        for q in ["CANCER", "HEART", "HTN", "DIABETES", "HOSPITAL", "THYROID"] {
            actions.push(Action::Answer { question: q.into(), yes: false });
        }
        actions
    }

    fn fields(state: &State) -> Vec<String> {
        state.missing().into_iter().map(|m| m.field).collect()
    }

    #[test]
    fn an_application_waits_for_what_underwriting_needs_and_says_what_it_is() {
        let complete = run(fresh(None), applicant());
        assert!(complete.missing().is_empty());
        assert!(complete.application().is_ok());
        // Two questions unanswered: both listed, in the form's order, by their words; nothing to send.
        let partial = run(
            fresh(None),
            applicant().into_iter().filter(
                |a| !matches!(a, Action::Answer { question, .. } if question == "HEART" || question == "HOSPITAL"),
            ),
        );
        assert_eq!(partial.quote().unwrap().decision.outcome, premia_core::underwriting::Outcome::Pending);
        assert_eq!(fields(&partial), ["insured.health_answers.HEART", "insured.health_answers.HOSPITAL"]);
        assert!(partial.missing()[0].label.en.to_lowercase().contains("heart"), "{:?}", partial.missing()[0].label);
        assert_eq!(partial.application(), Err(Submission::Incomplete));
        // Shown after "submit"; answering one keeps the other listed; answering both clears it.
        let asked = run(partial, [Action::SubmitFinished(Submission::Incomplete)]);
        let one = run(asked, [Action::Answer { question: "HEART".into(), yes: false }]);
        assert_eq!(one.submission, Submission::Incomplete);
        assert_eq!(fields(&one), ["insured.health_answers.HOSPITAL"]);
        let both = run(one, [Action::Answer { question: "HOSPITAL".into(), yes: false }]);
        assert_eq!(both.submission, Submission::None);
        assert!(both.application().is_ok());
        // Without height and weight (CI underwrites by BMI), and without the number: all of it, number first.
        let state = run(fresh(None), ci_customer());
        let state = run(state, applicant().into_iter().skip(3));
        assert_eq!(fields(&state), [field::RESIDENT_ID, field::HEIGHT, field::WEIGHT]);
        assert_eq!(state.application(), Err(Submission::Incomplete));
        // The number alone: asked for beside its field, as before.
        let state = run(state, [Action::HeightCm("165".into()), Action::WeightKg("58".into())]);
        assert_eq!(state.application(), Err(Submission::ResidentIdNeeded));
        // Income above the non-medical total is needed too: CI at 600,000 with 300,000 held.
        let state = run(
            fresh(None),
            applicant().into_iter().chain([
                Action::ExistingCover("300000".into()),
                Action::Coverage(0, CoverageAction::Amount("600000".into())),
            ]),
        );
        assert!(fields(&state).contains(&field::INCOME.to_owned()), "{:?}", fields(&state));
    }

    #[test]
    fn the_application_carries_the_number_as_it_was_typed() {
        // The server reads the number (spaces, hyphens, full-width digits, a lower-case x) as the core
        // does: the page sends what the person typed, nothing cut or changed, and so does a confirmation.
        let typed = " １１０１０１ 19960501-002４ ";
        let state = run(fresh(None), applicant().into_iter().chain([Action::ResidentId(typed.into())]));
        assert_eq!(
            state.resident_id().map(|id| id.number),
            Some("110101199605010024".into()),
            "read as the core reads it"
        );
        let application = state.application().expect("complete");
        let sent = premia_core::json::parse(&application.body).unwrap();
        assert_eq!(sent.get("resident_id").and_then(Json::as_str), Some(typed));
        assert_eq!(state.form.resident_id, typed, "the field keeps what was typed");
        let requote = Requote {
            reason: "dated_before_today".into(),
            message: Text::fixed("", ""),
            fresh: "{}".into(),
            digest: "d".into(),
            annual_premium: "1.00".into(),
            stamp: Some("a.b.c".into()),
        };
        let confirmed = premia_core::json::parse(&Application::confirmed(&requote, typed).body).unwrap();
        assert_eq!(confirmed.get("resident_id").and_then(Json::as_str), Some(typed));
        // Hyphens alone are no number: the application still asks for one.
        let state = run(fresh(None), applicant().into_iter().chain([Action::ResidentId(" - ".into())]));
        assert_eq!(state.application(), Err(Submission::ResidentIdNeeded));
    }

    #[test]
    fn the_servers_answer_is_told_to_the_host() {
        let created = r#"{"application":"PA20261125-0000000001","status":"accepted","token":"a.b.c"}"#;
        let accepted = Submission::from_response(201, created, String::new());
        assert_eq!(answer_event(created, &accepted), Some(("premia-submitted", created.to_owned())));
        let requote = r#"{"errors":[{"code":"quote.requote_needed","field":"quote","message":{"zh":"重新报价","en":"priced again"}}],"requote":{"reason":"dated_before_today","fresh":{"digest":"d","totals":{"annual_premium":"1.00"}},"stamp":"s"}}"#;
        let asked = Submission::from_response(409, requote, String::new());
        assert!(matches!(asked, Submission::Requote(_)), "{asked:?}");
        assert_eq!(answer_event(requote, &asked), Some(("premia-requote", requote.to_owned())));
        // A refusal: the status and the typed errors, as read (what the server adds beside them is not
        // part of the event's shape).
        let refused = r#"{"errors":[{"code":"auth.required","field":"authorization","message":{"zh":"需要令牌","en":"a token is needed"},"extra":1}]}"#;
        let submission = Submission::from_response(401, refused, String::new());
        let (name, detail) = answer_event(refused, &submission).unwrap();
        assert_eq!(name, "premia-refused");
        assert_eq!(
            detail,
            r#"{"status":401,"errors":[{"code":"auth.required","field":"authorization","message":{"zh":"需要令牌","en":"a token is needed"}}]}"#
        );
        let (_, detail) = answer_event("<html>", &Submission::from_response(502, "<html>", String::new())).unwrap();
        assert!(
            detail.starts_with(r#"{"status":502,"errors":[{"code":"http","field":"","message":{"zh":"HTTP 502"#),
            "{detail}"
        );
        assert_eq!(answer_event("", &Submission::from_response(404, "", "{}".into())), None, "no server: no answer");
    }

    #[test]
    fn the_status_is_read_into_the_answer_shown_and_only_that_one() {
        use crate::status::{Reading, Stage};
        let receipt = "q9Ge3nYpK0m1RAs7pVNdS4c2xWQbLz8TjH5uE6fIvo0";
        let created = format!(
            r#"{{"application":"PA1","status":"referred","receipt":"{receipt}","status_url":"/status/{receipt}"}}"#
        );
        let submission = Submission::from_response(201, &created, String::new());
        let Submission::Accepted { tracking, .. } = &submission else { panic!("{submission:?}") };
        assert_eq!(tracking.receipt.as_deref(), Some(receipt));
        assert_eq!(tracking.status_url, Some(format!("/status/{receipt}")));
        let state = run(fresh(None), [Action::SubmitFinished(submission)]);
        let answered = state.answered;
        let status = |stage: &str, label: &str| {
            format!(
                r#"{{"application":"PA1","status":"{stage}","label":{{"zh":"{label}","en":"{label}"}},"updated_at":"t"}}"#
            )
        };
        let read = |state: Rc<State>, application: &str, status: u16, body: &str| {
            let reading = Reading::from_response(status, body);
            run(state, [Action::StatusRead { application: application.into(), reading }])
        };
        let tracking = |state: &State| match &state.submission {
            Submission::Accepted { tracking, .. } => (**tracking).clone(),
            other => panic!("{other:?}"),
        };
        let state = read(state, "PA1", 200, &status("under_review", "核保中"));
        assert_eq!(tracking(&state).standing.map(|s| s.stage), Some(Stage::UnderReview));
        assert_eq!((state.answered, state.revision), (answered, 0), "no focus move, no quote event");
        // A failed read keeps the last status shown, beside the trouble; the next good one clears it.
        let state = read(state, "PA1", 503, "");
        let troubled = tracking(&state);
        assert_eq!(troubled.standing.map(|s| s.stage), Some(Stage::UnderReview));
        assert!(matches!(troubled.trouble, Some(Reading::Unreadable { status: 503, .. })));
        let state = read(state, "PA1", 200, &status("withdrawn", "?"));
        assert!(matches!(tracking(&state).trouble, Some(Reading::Unreadable { status: 200, .. })), "an unknown stage");
        let state = read(state, "PA1", 200, &status("accepted", "已通过核保"));
        let settled = tracking(&state);
        assert!(settled.is_settled() && settled.trouble.is_none());
        // A late read of another application (an earlier answer) changes nothing.
        let state = read(state, "PA0", 200, &status("declined", "x"));
        assert_eq!(tracking(&state).standing.map(|s| s.stage), Some(Stage::Accepted));
        // Once the form changes, the answer and its status are gone; a read arriving then is dropped.
        let state = run(state, [Action::Smoker(true)]);
        let state = read(state, "PA1", 200, &status("accepted", "x"));
        assert_eq!(state.submission, Submission::None);
    }
}
