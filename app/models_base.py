"""Column types shared by models."""

from sqlalchemy import BigInteger, Integer

# A 64-bit key on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
