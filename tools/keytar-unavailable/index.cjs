// Every keytar call fails loudly: nothing in Pagewire may depend on an OS keychain.
// @forge/cli-shared requires keytar at import time for `forge login`; the offline
// manifest check imports @forge/lint, which imports cli-shared, but never logs in.
const unavailable = async () => {
  throw new Error('keytar is not available in the Pagewire workspace (see README, Troubleshooting)');
};
module.exports = {
  getPassword: unavailable,
  setPassword: unavailable,
  deletePassword: unavailable,
  findPassword: unavailable,
  findCredentials: unavailable,
};
