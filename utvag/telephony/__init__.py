"""What talks to Twilio: the REST client (calls forgotten, recordings fetched
and forgotten, switchboard calls started). Phone numbers themselves are
``utvag.phones``, below the configuration that names the countries we call."""
