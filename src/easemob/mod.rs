//! Easemob IM / Agora Chat REST: the app token (request, parse, refresh) and message rewrite.
//!
//! ```text
//! TokenCache::poll(now) ─▶ Fetch(request) ─▶ host sends ─▶ TokenCache::on_response(reply, now)
//!                      └▶ Use(token) ─▶ build_rewrite_request ─▶ host sends ─▶ parse_rewrite_response
//!                                        on a token error: TokenCache::on_call_failed ─▶ poll again, retry once
//! ```

mod response;
mod rewrite;
mod settings;
mod token;
mod token_cache;

pub use rewrite::{
    build_rewrite_request, parse_message_id, parse_rewrite_response, MessageKind, RewriteMessage, RewriteOutcome,
    MAX_BODY_BYTES, MAX_CUSTOM_EXTS, MAX_EDITS,
};
pub use settings::{
    Settings, SettingsBuilder, AGORA_CHAT_A41, AGORA_CHAT_A61, AGORA_CHAT_A71, EASEMOB_A1, EASEMOB_A1_SGP, EASEMOB_A31,
    EASEMOB_A41, EASEMOB_A61, EASEMOB_A71,
};
pub use token::{
    build_agora_token_exchange_request, build_token_request, parse_agora_token_exchange_response, parse_token_response,
    AppToken, ClientCredentials, TimeUnit, TokenPolicy,
};
pub use token_cache::{TokenAction, TokenCache, TokenSource};
