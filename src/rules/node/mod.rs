//! Rules for Node.js deployments: `package.json` start scripts (NODE001–NODE004), PM2
//! process files (NODE005–NODE006), and Express/Nest server files read with a real
//! JavaScript/TypeScript grammar (NODE007–NODE015): CORS, helmet, session and cookie
//! options, hardcoded signing secrets, and the address the server listens on.
//!
//! Findings about something absent point at the call it is missing from (`express()`,
//! `session({…})`, `app.listen(…)`), never at the first line of the file.

pub mod pm2;
pub mod scripts;
pub mod secrets;
pub mod server;
