pub use app_identity;
